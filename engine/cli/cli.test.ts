import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoudnessReport, MasterReport } from '../../contracts/audio';
import { ffmpegEbur128 } from '../../tests/support/ffmpeg';
import { DEFAULT_MASTER, newProject, newTrack } from '../../contracts/project';
import { decodeWav, encodeWav } from '../io/wav';
import { drumLoop, noiseSong, sineSegments } from '../test-support/signals';
import { TRUE_PEAK_WASM } from '../loudness/true-peak-wasm';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => spawnSync('node', ['scripts/audio.cjs', ...args], { encoding: 'utf8' });

describe('audio CLI', () => {
  it('loudness prints one JSON report', () => {
    const file = path.join(dir, 'tone.wav');
    writeFileSync(file, encodeWav(sineSegments([[-23, 5]]), { format: 'wav24' }));
    const run = cli('loudness', file);
    expect(run.status).toBe(0);
    const report = LoudnessReport.parse(JSON.parse(run.stdout));
    expect(Math.abs((report.integratedLufs as number) + 23)).toBeLessThan(0.1);
    expect(report).toMatchObject({ sampleRate: 48000, channels: 2, durationSec: 5 });
  });

  it('mix renders a project file with sources relative to it, and master lands on target', () => {
    const stems = path.join(dir, 'stems');
    mkdirSync(stems, { recursive: true });
    writeFileSync(path.join(stems, 'a.wav'), encodeWav(noiseSong(6, 48000, 2), { format: 'wav24' }));
    writeFileSync(
      path.join(stems, 'b.wav'),
      encodeWav(sineSegments([[-20, 6]], { channels: 1 }), { format: 'wav16', ditherSeed: 1 }),
    );
    const project = {
      ...newProject('cli', 48000),
      tracks: [
        newTrack('a', 'A', 'stems/a.wav'),
        { ...newTrack('b', 'B', 'stems/b.wav'), pan: -0.5, gainDb: -3 },
      ],
      master: DEFAULT_MASTER,
    };
    const projectFile = path.join(dir, 'song.json');
    writeFileSync(projectFile, JSON.stringify(project));
    const mixFile = path.join(dir, 'mix.wav');
    const mixed = cli('mix', projectFile, '-o', mixFile, '--bits', '16');
    expect(mixed.stderr).toBe('');
    expect(mixed.status).toBe(0);
    const mix = decodeWav(readFileSync(mixFile));
    expect(mix.channels.length).toBe(2);
    expect(mix.channels[0]?.length).toBe(6 * 48000);

    const masterFile = path.join(dir, 'master.wav');
    const mastered = cli('master', mixFile, '-o', masterFile, '--target', '-16', '--ceiling', '-1.5');
    expect(mastered.status).toBe(0);
    const report = MasterReport.parse(JSON.parse(mastered.stdout));
    expect(Math.abs((report.after.integratedLufs as number) + 16)).toBeLessThanOrEqual(0.5);
    expect(report.after.truePeakDbtp as number).toBeLessThanOrEqual(-1.5);
    const check = LoudnessReport.parse(JSON.parse(cli('loudness', masterFile).stdout));
    expect(Math.abs((check.integratedLufs as number) + 16)).toBeLessThanOrEqual(0.5);
  }, 120_000);

  it('master keeps the input rate, writes the asked format, and warns when the cap on limiting stops it', () => {
    const drums = path.join(dir, 'drums96.wav');
    writeFileSync(drums, encodeWav(drumLoop(3, 96000), { format: 'wav24' }));
    const out = path.join(dir, 'drums96-master.wav');
    const capped = cli('master', drums, '-o', out, '--target', '-9', '--max-limiting', '4', '--bits', '16');
    expect(capped.status).toBe(0);
    const report = MasterReport.parse(JSON.parse(capped.stdout));
    expect(report.limitingCapped).toBe(true);
    expect(capped.stderr).toMatch(
      /-9 LUFS needs more than 4 dB of limiting; the master stops there, at -\d+\.\d LUFS/,
    );
    const written = decodeWav(readFileSync(out));
    expect(written.sampleRate).toBe(96000);
    // 16-bit: three bytes a frame fewer than 24-bit would take.
    expect(readFileSync(out).byteLength).toBe(44 + 3 * 96000 * 2 * 2);
    const free = cli('master', drums, '-o', out, '--target', '-16');
    expect(free.stderr).toBe('');
  });

  it('mix reports clipping in a fixed-point file (count and peak) and --headroom takes it away', () => {
    const hot = path.join(dir, 'hot.wav');
    // A 5.1 file whose centre alone is loud: downmixed (said on stderr), it clips at 16 bits.
    const frames = 4800;
    const centre = Float32Array.from(
      { length: frames },
      (_, i) => 0.99 * Math.sin((2 * Math.PI * 440 * i) / 48000),
    );
    const silent = () => new Float32Array(frames);
    writeFileSync(
      hot,
      encodeWav(
        { sampleRate: 48000, channels: [centre, centre, centre, silent(), silent(), silent()] },
        { format: 'wav32f' },
      ),
    );
    const project = {
      ...newProject('hot', 48000),
      tracks: [newTrack('h', 'Hot', 'hot.wav')],
      master: DEFAULT_MASTER,
    };
    const projectFile = path.join(dir, 'hot.json');
    writeFileSync(projectFile, JSON.stringify(project));
    const out = path.join(dir, 'hot-mix.wav');
    const clipped = cli('mix', projectFile, '-o', out, '--bits', '16');
    expect(clipped.status).toBe(0);
    expect(clipped.stderr).toMatch(/5\.1 .*downmixed to stereo after ITU-R BS\.775/);
    const warning =
      /clips in the 16-bit file: (\d+) samples beyond full scale, peaking at \+(\d+\.\d) dBFS\. Lower the master by (\d+\.\d) dB \(--headroom/.exec(
        clipped.stderr,
      );
    expect(warning).not.toBeNull();
    expect(Number(warning?.[1])).toBeGreaterThan(1000);
    const headroom = warning?.[3] as string;
    const clean = cli('mix', projectFile, '-o', out, '--bits', '16', '--headroom', headroom);
    expect(clean.status).toBe(0);
    expect(clean.stderr).not.toMatch(/clips/);
    expect(decodeWav(readFileSync(out)).channels[0]?.length).toBe(frames);
    // FLAC and MP3 hold fixed-point samples too: the same warning, without the 32-bit float way out.
    for (const [file, name] of [
      ['hot.flac', '16-bit FLAC'],
      ['hot.mp3', 'MP3'],
    ] as const) {
      const run = cli(
        'mix',
        projectFile,
        '-o',
        path.join(dir, file),
        ...(file.endsWith('.flac') ? ['--bits', '16'] : []),
      );
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(
        new RegExp(
          `the mix clips in the ${name}: \\d+ samples beyond full scale, peaking at \\+\\d\\.\\d dBFS\\. Lower the master by \\d+\\.\\d dB \\(--headroom \\d+\\.\\d\\)\\.$`,
          'm',
        ),
      );
    }
  }, 120_000);

  it('reads a WAV whose data size is 0 to its end, saying so', () => {
    const bytes = encodeWav(sineSegments([[-20, 1]]), { format: 'wav24' });
    new DataView(bytes.buffer).setUint32(40, 0, true);
    const file = path.join(dir, 'crashed.wav');
    writeFileSync(file, bytes);
    const run = cli('loudness', file);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /data chunk gives no size; read to the end of the file instead \(48000 frames\)/,
    );
    expect(LoudnessReport.parse(JSON.parse(run.stdout)).durationSec).toBe(1);
  });

  it('says plainly what is wrong, on stderr, with a non-zero exit', () => {
    const broken = path.join(dir, 'broken.wav');
    writeFileSync(broken, 'RIFF\u0000\u0000\u0000\u0000WAVEjunk');
    const cases: Array<[string[], RegExp]> = [
      [['loudness', path.join(dir, 'missing.wav')], /No such file/],
      [['loudness', broken], /Cannot read this audio/],
      [['frobnicate'], /Unknown command/],
      [[], /Usage/],
      [['master', broken, '-o', path.join(dir, 'x.wav')], /Cannot read this audio/],
      [
        ['master', path.join(dir, 'tone.wav'), '-o', path.join(dir, 'x.wav'), '--target', '-3'],
        /--target must be a number from -23 to -9/,
      ],
      [['master', path.join(dir, 'tone.wav')], /-o <out.wav\|out.flac\|out.mp3>/],
      [['mix', path.join(dir, 'tone.wav'), '-o', path.join(dir, 'x.wav')], /not valid JSON/],
      [['mix', path.join(dir, 'nope.json'), '-o', path.join(dir, 'x.wav')], /No such file/],
    ];
    for (const [args, message] of cases) {
      const run = cli(...args);
      expect(run.status).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    }
  }, 120_000);
});

describe('audio CLI: formats, stems, presets', () => {
  const ffmpeg = (...args: string[]) => {
    const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args]);
    if (r.status !== 0) throw new Error(r.stderr.toString());
  };
  const song = path.join(dir, 'song-src.wav');
  writeFileSync(song, encodeWav(noiseSong(8, 44100, 9), { format: 'wav24' }));

  it('loudness reads FLAC, MP3 and Ogg Vorbis within 0.1 LU of ffmpeg on the same file', () => {
    const flac = path.join(dir, 'in.flac');
    spawnSync('flac', ['-s', '-f', '-o', flac, song]);
    const files = [flac, path.join(dir, 'in.mp3'), path.join(dir, 'in.ogg')];
    ffmpeg('-i', song, '-c:a', 'libmp3lame', '-b:a', '192k', files[1] as string);
    ffmpeg('-i', song, '-c:a', 'libvorbis', '-q:a', '5', files[2] as string);
    for (const file of files) {
      const run = cli('loudness', file);
      expect(run.status, run.stderr).toBe(0);
      const report = LoudnessReport.parse(JSON.parse(run.stdout));
      const reference = ffmpegEbur128(file);
      expect(Math.abs((report.integratedLufs as number) - reference.integrated), file).toBeLessThan(0.1);
      expect(Math.abs(report.durationSec - 8), file).toBeLessThan(0.01);
    }
  }, 120_000);

  it('says why a damaged FLAC, a cut MP3 or an unknown file cannot be read as it is', () => {
    const flac = readFileSync(path.join(dir, 'in.flac'));
    // Scribble over a frame in the middle of the file.
    const damaged = Buffer.from(flac);
    for (let i = 0; i < 2000; i++) damaged[Math.floor(flac.length / 2) + i] = (i * 37) & 0xff;
    writeFileSync(path.join(dir, 'damaged.flac'), damaged);
    const broken = cli('loudness', path.join(dir, 'damaged.flac'));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(
      /Cannot read this audio: The FLAC file is damaged at [34]\.\d s \(frame \d+\): [a-z][^_\n]+\.$/m,
    );

    const mp3 = readFileSync(path.join(dir, 'in.mp3'));
    writeFileSync(path.join(dir, 'cut.mp3'), mp3.subarray(0, Math.floor(mp3.length * 0.6) + 17));
    const cut = cli('loudness', path.join(dir, 'cut.mp3'));
    expect(cut.status).toBe(0);
    expect(cut.stderr).toMatch(
      /The MP3 file is cut short: it ends inside a frame at 4\.\d s of the 8\.0 s it announces/,
    );

    // FLAC 1.4's 32-bit samples: said plainly, not "frames missing" (the parser knows no such frame).
    const wide = path.join(dir, 'wide.flac');
    spawnSync('sox', [song, '-b', '32', '-e', 'signed-integer', path.join(dir, 'wide.wav')]);
    expect(spawnSync('flac', ['-s', '-f', '-o', wide, path.join(dir, 'wide.wav')]).status).toBe(0);
    const wideRun = cli('loudness', wide);
    expect(wideRun.status).toBe(1);
    expect(wideRun.stderr).toMatch(
      /The FLAC file holds 32-bit samples, which the engine cannot decode; re-encode it at 24-bit/,
    );

    writeFileSync(path.join(dir, 'notes.wav'), 'These are my notes, not audio.');
    const unknown = cli('loudness', path.join(dir, 'notes.wav'));
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(
      /starts with "These ar" \(54 68 65 73 65 20 61 72\): it is not WAV, AIFF, FLAC, MP3 or Ogg Vorbis/,
    );
  }, 120_000);

  it('mix writes FLAC and MP3 with tags, and stems (32-bit float) that sum to the mix within −90 dBFS', () => {
    const project = {
      ...newProject('stems', 48000),
      tracks: [
        newTrack('a', 'Bass / Low', 'song-src.wav'),
        { ...newTrack('b', 'Voice', 'in.flac'), pan: 0.4, gainDb: -4 },
        { ...newTrack('c', 'Keys', 'in.ogg'), pan: -0.7, gainDb: -8 },
      ],
      master: DEFAULT_MASTER,
    };
    const projectFile = path.join(dir, 'stems.json');
    writeFileSync(projectFile, JSON.stringify(project));
    const flac = cli(
      'mix',
      projectFile,
      '-o',
      path.join(dir, 'mix.flac'),
      '--bits',
      '16',
      '--title',
      'Taiga',
    );
    expect(flac.status, flac.stderr).toBe(0);
    expect(JSON.parse(flac.stdout)).toMatchObject({ format: 'flac16', sampleRate: 48000 });
    const probed = spawnSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-show_entries',
        'format_tags=title',
        '-of',
        'default=nw=1:nk=1',
        path.join(dir, 'mix.flac'),
      ],
      { encoding: 'utf8' },
    );
    expect(probed.stdout.trim()).toBe('Taiga');
    expect(spawnSync('flac', ['-t', path.join(dir, 'mix.flac')]).status).toBe(0);
    const mp3 = cli('mix', projectFile, '-o', path.join(dir, 'mix.mp3'), '--mp3', 'v0', '--rate', '44100');
    expect(mp3.status, mp3.stderr).toBe(0);
    expect(JSON.parse(mp3.stdout)).toMatchObject({ format: 'mp3-v0', sampleRate: 44100 });

    const mixFile = path.join(dir, 'mix32.wav');
    const stemsDir = path.join(dir, 'stems-out');
    const run = cli('mix', projectFile, '-o', mixFile, '--bits', '32f', '--stems', stemsDir);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { stems: Array<{ trackId: string; file: string }> };
    expect(result.stems.map((s) => path.basename(s.file))).toEqual([
      '01 Bass _ Low.wav',
      '02 Voice.wav',
      '03 Keys.wav',
    ]);
    const mix = decodeWav(readFileSync(mixFile));
    const stems = result.stems.map((s) => decodeWav(readFileSync(s.file)));
    let worst = 0;
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < (mix.channels[c] as Float32Array).length; i++) {
        const sum = stems.reduce((s, st) => s + ((st.channels[c] as Float32Array)[i] as number), 0);
        worst = Math.max(worst, Math.abs(sum - ((mix.channels[c] as Float32Array)[i] as number)));
      }
    expect(20 * Math.log10(worst)).toBeLessThan(-90);
  }, 120_000);

  it('master with a preset into an MP3, at 48 kHz when the input rate is not an MP3 rate', () => {
    const drums = path.join(dir, 'drums96b.wav');
    writeFileSync(drums, encodeWav(drumLoop(6, 96000), { format: 'wav24' }));
    const out = path.join(dir, 'drums.mp3');
    const run = cli('master', drums, '-o', out, '--preset', 'apple', '--artist', 'Ånna');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/An MP3 cannot hold 96000 Hz: the master is made and written at 48000 Hz/);
    const measured = ffmpegEbur128(out);
    expect(Math.abs(measured.integrated + 16)).toBeLessThanOrEqual(0.5);
    const flac = cli('master', song, '-o', path.join(dir, 'song.flac'), '--preset', 'broadcast');
    expect(flac.status, flac.stderr).toBe(0);
    expect(Math.abs(ffmpegEbur128(path.join(dir, 'song.flac')).integrated + 23)).toBeLessThanOrEqual(0.5);
    // A compressed input is decoded once (to a temporary float WAV the passes reread), then mastered.
    const again = cli(
      'master',
      path.join(dir, 'song.flac'),
      '-o',
      path.join(dir, 'again.wav'),
      '--preset',
      'streaming',
    );
    expect(again.status, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(Math.abs(report.after.integratedLufs + 14)).toBeLessThanOrEqual(0.5);
    expect(report.after.truePeakDbtp).toBeLessThanOrEqual(-1);
    expect(Math.abs(ffmpegEbur128(path.join(dir, 'again.wav')).integrated + 14)).toBeLessThanOrEqual(0.5);
  }, 120_000);

  it('refuses each kind of bad choice with exit 2 and a plain reason', () => {
    const projectFile = path.join(dir, 'stems.json');
    const x = (ext: string) => path.join(dir, `x.${ext}`);
    const cases: Array<[string[], RegExp]> = [
      [['mix', projectFile, '-o', x('wav'), '--rate', '22050'], /--rate must be 44100 or 48000/],
      [['mix', projectFile, '-o', x('mp3'), '--bits', '32f'], /An MP3 has no bit depth/],
      [['mix', projectFile, '-o', x('flac'), '--bits', '32f'], /FLAC holds 16 or 24-bit samples/],
      [['mix', projectFile, '-o', x('ogg')], /Cannot write \.ogg .*: write \.wav, \.flac or \.mp3/],
      [['mix', projectFile, '-o', x('wav'), '--mp3', 'v0'], /--mp3 is for an \.mp3 output/],
      [
        ['master', song, '-o', x('wav'), '--preset', 'loud'],
        /--preset must be streaming, apple, club or broadcast/,
      ],
      [
        ['master', song, '-o', x('wav'), '--preset', 'club', '--target', '-9'],
        /Give --preset, or --target and --ceiling, not both/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = cli(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    }
  }, 120_000);
});

describe('audio CLI start-up', () => {
  /**
   * The files of dist/audio a command loads, as Node's CommonJS loader saw them (a preload records
   * require.cache when the process exits), with their sizes.
   */
  function loaded(...args: string[]): { status: number | null; files: Map<string, number> } {
    const record = path.join(dir, 'record-loaded.cjs');
    const list = path.join(dir, 'loaded.json');
    writeFileSync(
      record,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));`,
    );
    const run = spawnSync('node', ['-r', record, 'scripts/audio.cjs', ...args], { encoding: 'utf8' });
    const root = path.resolve('dist/audio');
    const files = new Map<string, number>();
    for (const file of JSON.parse(readFileSync(list, 'utf8')) as string[])
      if (file.startsWith(root)) files.set(path.relative(root, file), readFileSync(file).length);
    return { status: run.status, files };
  }

  it('loads the command line alone for a WAV: no decoder, encoder or zod (lazy bundles load on demand)', () => {
    const file = path.join(dir, 'startup.wav');
    writeFileSync(file, encodeWav(sineSegments([[-20, 0.05]]), { format: 'wav24' }));
    // Any run builds the bundle when it is stale; the second run is the one measured.
    expect(cli('loudness', file).status).toBe(0);
    const { status, files } = loaded('loudness', file);
    expect(status).toBe(0);
    expect([...files.keys()]).toEqual(['cli.cjs']);
    // What every start parses: tens of kB, not the codecs' (nor zod's) hundreds.
    const size = files.get('cli.cjs') as number;
    expect(size).toBeLessThan(120_000);
    // The engine's own true-peak scan (6 kB of SIMD) is part of loudness and the master; no other
    // WebAssembly is in it.
    const code = readFileSync(path.resolve('dist/audio/cli.cjs'), 'utf8');
    expect(code).toContain(TRUE_PEAK_WASM);
    expect(code.replace(TRUE_PEAK_WASM, '').replace(/WebAssembly\.(Module|Instance)\(/g, '')).not.toMatch(
      /WebAssembly/,
    );
  });

  it('rebuilds when the bundle is older than what it was built from, and survives a damaged code cache', () => {
    const file = path.join(dir, 'startup.wav');
    const bundle = path.resolve('dist/audio/cli.cjs');
    const caches = () => readdirSync(path.resolve('dist/audio')).filter((f) => f.endsWith('.cache'));
    expect(cli('loudness', file).status).toBe(0);
    expect(caches()).toHaveLength(1);
    // An edited source: its time is after the bundle's.
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(bundle, past, past);
    const rebuilt = cli('loudness', file);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(past.getTime() + 1000);
    // The first run of a build leaves its code cache, the previous build's is gone.
    const [cache] = caches();
    expect(caches()).toHaveLength(1);
    const { mtimeMs, size } = statSync(bundle);
    expect(cache).toBe(`cli-${Math.round(mtimeMs)}-${size}.cache`);
    // A cache V8 refuses (damaged, another Node) is compiled without, and written again.
    const good = readFileSync(path.resolve('dist/audio', cache as string));
    writeFileSync(path.resolve('dist/audio', cache as string), Buffer.alloc(good.length, 7));
    const damaged = cli('loudness', file);
    expect(damaged.status, damaged.stderr).toBe(0);
    expect(LoudnessReport.parse(JSON.parse(damaged.stdout)).sampleRate).toBe(48000);
    expect(
      readFileSync(path.resolve('dist/audio', cache as string)).equals(Buffer.alloc(good.length, 7)),
    ).toBe(false);
    // The list of inputs gone: built again rather than trusted. A run that fails (it compiled
    // little) leaves no cache; the next that succeeds does.
    rmSync(path.resolve('dist/audio/inputs.txt'));
    expect(cli('loudness', path.join(dir, 'missing.wav')).status).toBe(2);
    expect(readFileSync(path.resolve('dist/audio/inputs.txt'), 'utf8')).toContain('engine/cli/main.ts\n');
    expect(caches()).toHaveLength(0);
    expect(cli('loudness', file).status).toBe(0);
    expect(caches()).toHaveLength(1);
  });

  it('a FLAC loads the decoders and the FLAC codec only; a damaged one is still an audio error', () => {
    const flac = path.join(dir, 'startup.flac');
    spawnSync('flac', ['-s', '-f', '-o', flac, path.join(dir, 'startup.wav')]);
    const { status, files } = loaded('loudness', flac);
    expect(status).toBe(0);
    const names = [...files.keys()].map((f) => f.replace(/-[0-9a-f]{10}\.cjs$/, ''));
    expect(names.sort()).toEqual([
      'cli.cjs',
      'lazy/codec-parser-index',
      'lazy/engine-io-decoders',
      'lazy/wasm-audio-decoders-flac-index',
    ]);
    // The error is thrown in the decoders' bundle and recognised by the command line's.
    const damaged = path.join(dir, 'startup-damaged.flac');
    const bytes = readFileSync(flac);
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const run = cli('loudness', damaged);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Cannot read this audio: The FLAC file/);
  });
});
