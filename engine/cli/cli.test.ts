import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoudnessReport, MasterReport } from '../../contracts/audio';
import { DEFAULT_MASTER, newProject, newTrack } from '../../contracts/project';
import { decodeWav, encodeWav } from '../io/wav';
import { drumLoop, noiseSong, sineSegments } from '../test-support/signals';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => spawnSync('node', ['scripts/audio.mjs', ...args], { encoding: 'utf8' });

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
  });

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
  });

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
      [['master', broken], /Cannot read this audio/],
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
  });
});
