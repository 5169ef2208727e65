// `npm run bench:audio`: the engine's command line against ffmpeg's and sox's, command line against
// command line, as a user runs them (Node start-up included), on generated sessions written to a
// temporary folder. Every figure is a ratio measured in this one run, with each tool's peak memory
// (max RSS, from /usr/bin/time) beside it. Sizes are configurable:
//   BENCH_AUDIO_SECONDS       stem length (default 180)
//   BENCH_AUDIO_STEMS         stem counts, comma-separated (default 8,32)
//   BENCH_AUDIO_LONG_SECONDS  the long files (default 1800: two 30-minute stems, their mix, its master)
//   BENCH_AUDIO_MID_SECONDS   a master and an 8-stem mix of this length beside the short and long
//                             ones (default 600), for how memory grows with duration (0 leaves it out)
//   BENCH_AUDIO_RUNS          runs per job, each tool's turn about, the fastest counts (default 2)
//   BENCH_AUDIO_STARTUP_RUNS  runs of each start-up job, in turns; the median counts (default 31)
//   BENCH_AUDIO_ONLY_STARTUP  1: the start-up rows alone, into bench/results/audio-startup.json
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MASTER, newProject, newTrack, type Track } from '../contracts/project';
import { mulberry32, WavEncoder } from '../engine/index';
import { drumLoop } from '../engine/test-support/signals';
import { ffmpegEbur128 } from '../tests/support/ffmpeg';

const RATE = 48000;
const SECONDS = Number(process.env.BENCH_AUDIO_SECONDS ?? 180);
const STEM_COUNTS = (process.env.BENCH_AUDIO_STEMS ?? '8,32').split(',').map(Number);
const LONG_SECONDS = Number(process.env.BENCH_AUDIO_LONG_SECONDS ?? 1800);
const MID_SECONDS = Number(process.env.BENCH_AUDIO_MID_SECONDS ?? 600);
const RUNS = Math.max(1, Number(process.env.BENCH_AUDIO_RUNS ?? 2));
const STARTUP_RUNS = Math.max(1, Number(process.env.BENCH_AUDIO_STARTUP_RUNS ?? 31));
const TARGET = -14;
const CEILING = -1;

/** Wall time, peak memory, and CPU time (user + system): on a shared machine a single-threaded
 * process waits for a core more than a multi-threaded one, so both times are kept. */
type Timed = { ms: number; maxRssMb: number; cpuMs: number };

/** Runs a command under /usr/bin/time: wall time and the peak memory of the process. */
function timed(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Timed & { stdout: string; stderr: string } {
  const run = spawnSync('/usr/bin/time', ['-f', '\n@@%e %M %U %S', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env,
  });
  const at = run.stderr.lastIndexOf('@@');
  if (run.status !== 0 || at < 0) throw new Error(`${command} failed: ${run.stderr.slice(-2000)}`);
  const [seconds, kb, user, system] = run.stderr
    .slice(at + 2)
    .trim()
    .split(' ')
    .map(Number) as [number, number, number, number];
  return {
    ms: seconds * 1000,
    maxRssMb: kb / 1024,
    cpuMs: (user + system) * 1000,
    stdout: run.stdout,
    stderr: run.stderr.slice(0, at),
  };
}

const engine = (...args: string[]) => timed(process.execPath, ['scripts/audio.cjs', ...args]);

/**
 * Start-up: each job run STARTUP_RUNS times, in turns, spawned directly and timed here to the
 * tenth of a millisecond (/usr/bin/time reads hundredths of a second); the median and the fastest.
 */
function startupTimes(
  jobs: Record<string, [string, string[]]>,
  env: NodeJS.ProcessEnv,
): Record<string, { medianMs: number; minMs: number }> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(jobs).map((name) => [name, []]));
  for (let r = 0; r < STARTUP_RUNS; r++)
    for (const [name, [command, args]] of Object.entries(jobs)) {
      const start = process.hrtime.bigint();
      const run = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (run.status !== 0) throw new Error(`${command} failed: ${run.stderr.toString().slice(-2000)}`);
      times[name]?.push(ms);
    }
  return Object.fromEntries(
    Object.entries(times).map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return [
        name,
        {
          medianMs: +(sorted[sorted.length >> 1] as number).toFixed(1),
          minMs: +(sorted[0] as number).toFixed(1),
        },
      ];
    }),
  );
}
const ffmpeg = (...args: string[]) => timed('ffmpeg', ['-hide_banner', '-nostats', '-y', ...args]);
const sox = (...args: string[]) => timed('sox', args);

/** Runs each job RUNS times, the tools' turns about; keeps each tool's fastest run (and its memory). */
function compare(jobs: Record<string, () => Timed>): Record<string, Timed> {
  const best: Record<string, Timed> = {};
  for (let r = 0; r < RUNS; r++)
    for (const [name, job] of Object.entries(jobs)) {
      const t = job();
      const prior = best[name];
      best[name] = !prior || t.ms < prior.ms ? t : prior;
    }
  return best;
}

// ---------- the material ----------
/** A stem: a tone with a beat and filtered noise, different per index; written a block at a time. */
function writeStem(file: string, index: number, seconds: number, rate = RATE): void {
  const frames = Math.round(seconds * rate);
  const rng = mulberry32(1000 + index);
  const freq = 55 * 2 ** ((index % 12) / 2);
  const encoder = new WavEncoder({ sampleRate: rate, channelCount: 2, frames }, { format: 'wav24' });
  const fd = openSync(file, 'w');
  const block = 65536;
  const left = new Float32Array(block);
  const right = new Float32Array(block);
  let lp = 0;
  try {
    writeSync(fd, encoder.header);
    for (let at = 0; at < frames; at += block) {
      const n = Math.min(block, frames - at);
      for (let i = 0; i < n; i++) {
        const t = (at + i) / rate;
        const beat = (t * (1 + (index % 3))) % 1 < 0.08 ? 1 : 0.3;
        lp += 0.05 * (rng() * 2 - 1 - lp);
        const tone = Math.sin(2 * Math.PI * freq * t) * 0.4 + Math.sin(2 * Math.PI * freq * 2.01 * t) * 0.15;
        const x = (tone + lp * 2) * beat * 0.1;
        left[i] = x;
        right[i] = x * 0.9 + lp * 0.05;
      }
      writeSync(fd, encoder.encode([left.subarray(0, n), right.subarray(0, n)], n));
    }
    writeSync(fd, encoder.trailer());
  } finally {
    closeSync(fd);
  }
}

function project(dir: string, name: string, tracks: Track[]): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      ...newProject(name, RATE),
      tracks,
      master: { ...DEFAULT_MASTER, targetLufs: TARGET, ceilingDbtp: CEILING },
    }),
  );
  return file;
}

/** Unity gain, centre, no EQ or compressor: the plain sum ffmpeg's amix and sox -m do. */
const unityTrack = (i: number, file: string): Track => newTrack(`t${i}`, `Stem ${i + 1}`, file);

/** The full strip: gain, 3-band EQ, pan, a compressor on two tracks (and ffmpeg's same chain). */
function stripTrack(i: number, file: string): Track {
  const t = newTrack(`t${i}`, `Stem ${i + 1}`, file);
  t.gainDb = -2 - (i % 4);
  t.pan = ((i % 5) - 2) / 3;
  t.eq = {
    low: { gainDb: (i % 3) - 1 || 1.5, freqHz: 100 + 20 * i },
    mid: { gainDb: i % 2 ? 2.5 : -2, freqHz: 800 + 150 * i, q: 1.1 },
    high: { gainDb: i % 2 ? -1.5 : 2, freqHz: 7000 + 300 * i },
  };
  if (i < 2)
    t.compressor = { enabled: true, thresholdDb: -24, ratio: 3, attackMs: 10, releaseMs: 120, makeupDb: 2 };
  return t;
}

function ffmpegChain(tracks: Track[]): string {
  const chains = tracks.map((t, i) => {
    const theta = ((t.pan + 1) * Math.PI) / 4;
    const parts = [
      `volume=${t.gainDb}dB`,
      `lowshelf=f=${t.eq.low.freqHz}:g=${t.eq.low.gainDb}`,
      `equalizer=f=${t.eq.mid.freqHz}:t=q:w=${t.eq.mid.q}:g=${t.eq.mid.gainDb}`,
      `highshelf=f=${t.eq.high.freqHz}:g=${t.eq.high.gainDb}`,
      ...(t.compressor.enabled
        ? [
            `acompressor=threshold=${t.compressor.thresholdDb}dB:ratio=${t.compressor.ratio}:attack=${t.compressor.attackMs}:release=${t.compressor.releaseMs}:makeup=${10 ** (t.compressor.makeupDb / 20)}`,
          ]
        : []),
      `pan=stereo|c0=${Math.cos(theta).toFixed(6)}*c0|c1=${Math.sin(theta).toFixed(6)}*c1`,
    ];
    return `[${i}:a]${parts.join(',')}[a${i}]`;
  });
  return `${chains.join(';')};${tracks.map((_, i) => `[a${i}]`).join('')}amix=inputs=${tracks.length}:normalize=0[out]`;
}

/**
 * Gain flutter: the mean change, from one 10 ms frame to the next, of the gain a master applied
 * (output over input energy, in dB), over the frames where the input is above −60 dBFS. A limiter
 * that pumps moves its gain a lot between frames; a steady one hardly.
 */
function flutter(inputFile: string, outputFile: string): number {
  const raw = (file: string) => {
    const run = spawnSync(
      'ffmpeg',
      ['-v', 'error', '-i', file, '-ar', String(RATE), '-ac', '1', '-f', 'f32le', '-'],
      {
        maxBuffer: 1024 * 1024 * 1024,
      },
    );
    return new Float32Array(new Uint8Array(run.stdout).buffer);
  };
  const x = raw(inputFile);
  const y = raw(outputFile);
  const frame = RATE / 100;
  let previous = Number.NaN;
  let total = 0;
  let count = 0;
  for (let f = 0; f + frame <= Math.min(x.length, y.length); f += frame) {
    let ex = 0;
    let ey = 0;
    for (let i = f; i < f + frame; i++) {
      ex += (x[i] as number) ** 2;
      ey += (y[i] as number) ** 2;
    }
    if (ex / frame < 1e-6) {
      previous = Number.NaN;
      continue;
    }
    const gain = 10 * Math.log10(ey / ex);
    if (!Number.isNaN(previous)) {
      total += Math.abs(gain - previous);
      count++;
    }
    previous = gain;
  }
  return total / count;
}

function loudnorm(input: string, output: string, target: number, ceiling: number): Timed {
  const pass1 = ffmpeg(
    '-i',
    input,
    '-af',
    `loudnorm=I=${target}:TP=${ceiling}:LRA=11:print_format=json`,
    '-f',
    'null',
    '-',
  );
  const m = JSON.parse(pass1.stderr.slice(pass1.stderr.lastIndexOf('{'))) as Record<string, string>;
  const pass2 = ffmpeg(
    '-i',
    input,
    '-af',
    `loudnorm=I=${target}:TP=${ceiling}:LRA=11:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true`,
    '-ar',
    String(RATE),
    '-c:a',
    'pcm_s24le',
    output,
  );
  return {
    ms: pass1.ms + pass2.ms,
    maxRssMb: Math.max(pass1.maxRssMb, pass2.maxRssMb),
    cpuMs: pass1.cpuMs + pass2.cpuMs,
  };
}

const ratio = (other: Timed | undefined, ours: Timed | undefined) =>
  other && ours ? +(other.ms / ours.ms).toFixed(2) : null;
const cpuRatio = (other: Timed | undefined, ours: Timed | undefined) =>
  other && ours ? +(other.cpuMs / ours.cpuMs).toFixed(2) : null;
const mb = (t: Timed | undefined) => (t ? Math.round(t.maxRssMb) : null);
const seconds = (t: Timed | undefined) => (t ? +(t.ms / 1000).toFixed(2) : null);

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-bench-'));
const rows: Array<Record<string, unknown>> = [];
const row = (
  job: string,
  tools: Record<string, Timed>,
  against: string[],
  extra: Record<string, unknown> = {},
) => {
  const ours = tools.engine;
  const r: Record<string, unknown> = {
    job,
    engineS: seconds(ours),
    engineCpuS: ours ? +(ours.cpuMs / 1000).toFixed(2) : null,
    engineMb: mb(ours),
  };
  for (const other of against) {
    r[`${other}S`] = seconds(tools[other]);
    r[`${other}Mb`] = mb(tools[other]);
    // Above 1: the engine is that many times faster.
    r[`${other}CpuS`] = tools[other] ? +((tools[other] as Timed).cpuMs / 1000).toFixed(2) : null;
    r[`speedVs${other[0]?.toUpperCase()}${other.slice(1)}`] = ratio(tools[other], ours);
    r[`cpuVs${other[0]?.toUpperCase()}${other.slice(1)}`] = cpuRatio(tools[other], ours);
  }
  rows.push({ ...r, ...extra });
  console.log(JSON.stringify(rows.at(-1)));
};

try {
  const loadBefore = loadavg();
  // Start-up: the loudness of a 10 ms file is all start-up. The first run builds the bundle if it
  // must (and the next writes its code cache); what a user sees from then on is the median of the rest.
  const tiny = path.join(dir, 'tiny.wav');
  writeStem(tiny, 0, 0.01);
  engine('loudness', tiny);
  engine('loudness', tiny);
  const startupRow = (job: string, env: NodeJS.ProcessEnv) => {
    const times = startupTimes(
      {
        engine: [process.execPath, ['scripts/audio.cjs', 'loudness', tiny]],
        nodeEmpty: [process.execPath, ['-e', '']],
        ffmpeg: [
          'ffmpeg',
          ['-hide_banner', '-nostats', '-y', '-i', tiny, '-af', 'ebur128=peak=true', '-f', 'null', '-'],
        ],
      },
      env,
    );
    const memory = timed(process.execPath, ['scripts/audio.cjs', 'loudness', tiny], env);
    rows.push({
      job,
      engineMs: times.engine?.medianMs,
      engineMinMs: times.engine?.minMs,
      engineMb: mb(memory),
      bareNodeMs: times.nodeEmpty?.medianMs,
      bareNodeMinMs: times.nodeEmpty?.minMs,
      engineOverNodeMs: +((times.engine?.medianMs ?? 0) - (times.nodeEmpty?.medianMs ?? 0)).toFixed(1),
      ffmpegMs: times.ffmpeg?.medianMs,
      speedVsFfmpeg: +((times.ffmpeg?.medianMs ?? 0) / (times.engine?.medianMs ?? 1)).toFixed(2),
      runs: STARTUP_RUNS,
    });
    console.log(JSON.stringify(rows.at(-1)));
  };
  startupRow('start-up (loudness of 10 ms)', process.env);
  // Node reads and parses the certificates NODE_EXTRA_CA_CERTS names at every start, whatever the
  // script (this machine sets it: some 50 ms). A musician's machine seldom does: the same start-up
  // without it, beside bare Node's.
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const { NODE_EXTRA_CA_CERTS: _, ...plain } = process.env;
    startupRow('start-up without NODE_EXTRA_CA_CERTS (loudness of 10 ms)', plain);
  }
  if (process.env.BENCH_AUDIO_ONLY_STARTUP === '1') {
    writeFileSync(
      'bench/results/audio-startup.json',
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, load: loadavg()[0], rows }, null, 2)}\n`,
    );
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }

  const most = Math.max(...STEM_COUNTS);
  const stems = Array.from({ length: most }, (_, i) => path.join(dir, `stem${i}.wav`));
  stems.forEach((file, i) => {
    writeStem(file, i, SECONDS);
  });

  for (const count of STEM_COUNTS) {
    const files = stems.slice(0, count);
    const unity = project(
      dir,
      `unity${count}`,
      files.map((f, i) => unityTrack(i, f)),
    );
    const tools = compare({
      engine: () => engine('mix', unity, '-o', path.join(dir, 'engine-mix.wav')),
      ffmpeg: () =>
        ffmpeg(
          ...files.flatMap((f) => ['-i', f]),
          '-filter_complex',
          `amix=inputs=${count}:normalize=0`,
          '-c:a',
          'pcm_s24le',
          path.join(dir, 'ffmpeg-mix.wav'),
        ),
      sox: () =>
        sox('-m', ...files.flatMap((f) => ['-v', '1', f]), '-b', '24', path.join(dir, 'sox-mix.wav')),
    });
    row(`unity mix ${count} × ${SECONDS} s`, tools, ['ffmpeg', 'sox']);
  }

  // The full strip on the first session, against ffmpeg's equivalent chain.
  const first = STEM_COUNTS[0] ?? 8;
  const stripTracks = stems.slice(0, first).map((f, i) => stripTrack(i, f));
  const strip = project(dir, 'strip', stripTracks);
  row(
    `strip mix (gain, EQ, pan, 2 compressors) ${first} × ${SECONDS} s`,
    compare({
      engine: () => engine('mix', strip, '-o', path.join(dir, 'engine-strip.wav')),
      ffmpeg: () =>
        ffmpeg(
          ...stems.slice(0, first).flatMap((f) => ['-i', f]),
          '-filter_complex',
          ffmpegChain(stripTracks),
          '-map',
          '[out]',
          '-c:a',
          'pcm_s24le',
          path.join(dir, 'ffmpeg-strip.wav'),
        ),
    }),
    ['ffmpeg'],
  );

  // Master and loudness of that mix.
  const mixFile = path.join(dir, 'engine-strip.wav');
  const master = compare({
    engine: () => engine('master', mixFile, '-o', path.join(dir, 'engine-master.wav')),
    loudnorm: () => loudnorm(mixFile, path.join(dir, 'ffmpeg-master.wav'), TARGET, CEILING),
  });
  const ours = ffmpegEbur128(path.join(dir, 'engine-master.wav'));
  const theirs = ffmpegEbur128(path.join(dir, 'ffmpeg-master.wav'));
  row(`master ${SECONDS} s to ${TARGET} LUFS / ${CEILING} dBTP`, master, ['loudnorm'], {
    engineLufsTp: `${ours.integrated} / ${ours.truePeak}`,
    loudnormLufsTp: `${theirs.integrated} / ${theirs.truePeak}`,
  });
  row(
    `loudness ${SECONDS} s`,
    compare({
      engine: () => engine('loudness', mixFile),
      ebur128: () => ffmpeg('-i', mixFile, '-af', 'ebur128=peak=true', '-f', 'null', '-'),
    }),
    ['ebur128'],
  );

  // Loud masters of drums: how much each one's gain moves (pumping), at -9 LUFS.
  const drums = path.join(dir, 'drums.wav');
  const loop = drumLoop(60, RATE, { gain: 0.3 });
  const encoder = new WavEncoder(
    { sampleRate: RATE, channelCount: 2, frames: 60 * RATE },
    { format: 'wav24' },
  );
  writeFileSync(
    drums,
    Buffer.concat([encoder.header, encoder.encode(loop.channels, 60 * RATE), encoder.trailer()]),
  );
  const loud = engine(
    'master',
    drums,
    '-o',
    path.join(dir, 'drums-engine.wav'),
    '--target',
    '-9',
    '--max-limiting',
    '30',
  );
  const loudFf = loudnorm(drums, path.join(dir, 'drums-ffmpeg.wav'), -9, CEILING);
  const engineFlutter = flutter(drums, path.join(dir, 'drums-engine.wav'));
  const ffFlutter = flutter(drums, path.join(dir, 'drums-ffmpeg.wav'));
  rows.push({
    job: 'drums 60 s mastered to -9 LUFS: gain flutter (mean |Δ gain| per 10 ms, dB)',
    engineFlutterDb: +engineFlutter.toFixed(3),
    loudnormFlutterDb: +ffFlutter.toFixed(3),
    flutterEngineOverLoudnorm: +(engineFlutter / ffFlutter).toFixed(2),
    engineLufsTp: (() => {
      const r = ffmpegEbur128(path.join(dir, 'drums-engine.wav'));
      return `${r.integrated} / ${r.truePeak}`;
    })(),
    loudnormLufsTp: (() => {
      const r = ffmpegEbur128(path.join(dir, 'drums-ffmpeg.wav'));
      return `${r.integrated} / ${r.truePeak}`;
    })(),
    engineS: seconds(loud),
    loudnormS: seconds(loudFf),
  });
  console.log(JSON.stringify(rows.at(-1)));

  // A master of a middle length: with the long one, how the master's memory grows with duration.
  if (MID_SECONDS > 0) {
    const mid = path.join(dir, 'mid.wav');
    writeStem(mid, 30, MID_SECONDS);
    const engineMid = engine('master', mid, '-o', path.join(dir, 'mid-master.wav'));
    const ffMid = loudnorm(mid, path.join(dir, 'mid-ffmpeg-master.wav'), TARGET, CEILING);
    row(`master ${MID_SECONDS} s`, { engine: engineMid, loudnorm: ffMid }, ['loudnorm']);
    rmSync(mid);
    // Eight stems of that length: with 8 × SECONDS, how the mix's memory grows with duration.
    const longStems = Array.from({ length: 8 }, (_, i) => path.join(dir, `mid-stem${i}.wav`));
    longStems.forEach((file, i) => {
      writeStem(file, 50 + i, MID_SECONDS);
    });
    const midUnity = project(
      dir,
      'mid-unity',
      longStems.map((f, i) => unityTrack(i, f)),
    );
    row(
      `unity mix 8 × ${MID_SECONDS} s`,
      compare({
        engine: () => engine('mix', midUnity, '-o', path.join(dir, 'mid-mix.wav')),
        ffmpeg: () =>
          ffmpeg(
            ...longStems.flatMap((f) => ['-i', f]),
            '-filter_complex',
            'amix=inputs=8:normalize=0',
            '-c:a',
            'pcm_s24le',
            path.join(dir, 'ffmpeg-mid-mix.wav'),
          ),
        sox: () =>
          sox(
            '-m',
            ...longStems.flatMap((f) => ['-v', '1', f]),
            '-b',
            '24',
            path.join(dir, 'sox-mid-mix.wav'),
          ),
      }),
      ['ffmpeg', 'sox'],
    );
    for (const file of [
      ...longStems,
      path.join(dir, 'mid-mix.wav'),
      path.join(dir, 'ffmpeg-mid-mix.wav'),
      path.join(dir, 'sox-mid-mix.wav'),
    ])
      rmSync(file, { force: true });
  }

  // Long files: two stems, their unity mix, its loudness and its master.
  if (LONG_SECONDS > 0) {
    const long = [0, 1].map((i) => path.join(dir, `long${i}.wav`));
    long.forEach((file, i) => {
      writeStem(file, 40 + i, LONG_SECONDS);
    });
    const unity = project(
      dir,
      'long',
      long.map((f, i) => unityTrack(i, f)),
    );
    const longMix = path.join(dir, 'long-mix.wav');
    row(
      `unity mix 2 × ${LONG_SECONDS} s`,
      compare({
        engine: () => engine('mix', unity, '-o', longMix),
        ffmpeg: () =>
          ffmpeg(
            ...long.flatMap((f) => ['-i', f]),
            '-filter_complex',
            'amix=inputs=2:normalize=0',
            '-c:a',
            'pcm_s24le',
            path.join(dir, 'ffmpeg-long.wav'),
          ),
        sox: () =>
          sox('-m', ...long.flatMap((f) => ['-v', '1', f]), '-b', '24', path.join(dir, 'sox-long.wav')),
      }),
      ['ffmpeg', 'sox'],
    );
    row(
      `loudness ${LONG_SECONDS} s`,
      compare({
        engine: () => engine('loudness', longMix),
        ebur128: () => ffmpeg('-i', longMix, '-af', 'ebur128=peak=true', '-f', 'null', '-'),
      }),
      ['ebur128'],
    );
    // One run each: loudnorm takes minutes here.
    const engineLong = engine('master', longMix, '-o', path.join(dir, 'long-master.wav'));
    const ffLong = loudnorm(longMix, path.join(dir, 'long-ffmpeg-master.wav'), TARGET, CEILING);
    row(`master ${LONG_SECONDS} s`, { engine: engineLong, loudnorm: ffLong }, ['loudnorm']);
  }
  rows.push(...(await import('./codecs')).benchCodecs(Math.min(SECONDS, 60), RUNS));
  const loadAfter = loadavg();
  const result = {
    rows,
    runs: RUNS,
    sizes: {
      stemSeconds: SECONDS,
      stems: STEM_COUNTS,
      midSeconds: MID_SECONDS,
      longSeconds: LONG_SECONDS,
      rate: RATE,
    },
    // 1-minute load averages on this 2-core machine when the timed runs began and ended.
    loadAverage1m: { before: +(loadBefore[0] ?? 0).toFixed(2), after: +(loadAfter[0] ?? 0).toFixed(2) },
    measuredAt: new Date().toISOString(),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/audio.json', `${JSON.stringify(result, null, 2)}\n`);
  console.table(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
