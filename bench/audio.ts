// `npm run bench:audio`: a deterministic session (8 stereo stems, 3 minutes, 48 kHz, every track with
// EQ and pan, two with the compressor), mixed and mastered by the engine and by ffmpeg in the same run.
// Each engine job runs in a child process of its own so its peak memory (max RSS) is its own.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_MASTER,
  newTrack,
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type ProjectFile,
  type Track,
} from '../contracts/project';
import { ffmpegEbur128 } from '../tests/support/ffmpeg';
import {
  type AudioData,
  decodeAudioFile,
  encodeWav,
  encodeWavChunks,
  masterAudio,
  mulberry32,
  renderMix,
} from '../engine/index';

const RATE = 48000;
const SECONDS = Number(process.env.BENCH_AUDIO_SECONDS ?? 180);
const STEMS = 8;
const TARGET = -14;
const CEILING = -1;
// Each job runs this many times, the engine's and ffmpeg's turn about, and the fastest of each counts:
// the machine is shared, and the least disturbed run is the closest to what the code costs.
const RUNS = Math.max(1, Number(process.env.BENCH_AUDIO_RUNS ?? 3));

// ---------- child mode: one engine job, timed from inside ----------
if (process.argv[2] === '--child') {
  const [, , , job, input, output] = process.argv as [
    string,
    string,
    string,
    'mix' | 'master',
    string,
    string,
  ];
  // The file is written piece by piece, as the app does: its bytes are never all in memory at once.
  const writeWav = (file: string, audio: AudioData) => {
    const fd = openSync(file, 'w');
    try {
      for (const chunk of encodeWavChunks(audio, { format: 'wav24' }, { reuse: true })) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
  };
  // What the process holds before any work (Node, the TypeScript loader) is not the engine's.
  const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  if (job === 'mix') {
    const project = JSON.parse(readFileSync(input, 'utf8')) as ProjectFile;
    const base = path.dirname(input);
    // Sources are decoded one at a time; each file's bytes can go before the next is read.
    const sources = project.tracks.map((t) => ({
      trackId: t.id,
      audio: decodeAudioFile(readFileSync(path.join(base, t.source.path))),
    }));
    const mix = renderMix({ tracks: project.tracks, master: project.master, sampleRate: RATE, sources });
    writeWav(output, mix);
  } else {
    const audio = decodeAudioFile(readFileSync(input));
    const { audio: mastered } = masterAudio(audio, {
      targetLufs: TARGET,
      ceilingDbtp: CEILING,
      glue: false,
      tilt: 'neutral',
    });
    writeWav(output, mastered);
  }
  const ms = performance.now() - started;
  process.stdout.write(
    JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, baselineRssMb }),
  );
  process.exit(0);
}

// ---------- the session ----------
function stem(index: number, rate = RATE): Float32Array[] {
  const n = SECONDS * rate;
  const rng = mulberry32(1000 + index);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  const freq = 55 * 2 ** (index / 2);
  let lp = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const beat = (t * (1 + (index % 3))) % 1 < 0.08 ? 1 : 0.3;
    lp += 0.05 * (rng() * 2 - 1 - lp);
    const tone = Math.sin(2 * Math.PI * freq * t) * 0.4 + Math.sin(2 * Math.PI * freq * 2.01 * t) * 0.15;
    const x = (tone + lp * 2) * beat * 0.2;
    left[i] = x;
    right[i] = x * 0.9 + lp * 0.05;
  }
  return [left, right];
}

function track(i: number): Track {
  const t = newTrack(`t${i}`, `Stem ${i + 1}`, `stems/stem${i}.wav`);
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

function ffmpeg(args: string[]): { ms: number; stderr: string } {
  const started = performance.now();
  const run = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-y', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.slice(-2000)}`);
  return { ms: performance.now() - started, stderr: run.stderr };
}

type EngineRun = { ms: number; maxRssMb: number; baselineRssMb: number };

const fastest = (runs: EngineRun[]): EngineRun => runs.reduce((best, run) => (run.ms < best.ms ? run : best));

function engineJob(
  job: 'mix' | 'master',
  input: string,
  output: string,
): { ms: number; maxRssMb: number; baselineRssMb: number } {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/audio.ts', '--child', job, input, output],
    {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`engine ${job} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { ms: number; maxRssMb: number; baselineRssMb: number };
}

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-bench-'));
try {
  mkdirSync(path.join(dir, 'stems'));
  const tracks = Array.from({ length: STEMS }, (_, i) => track(i));
  for (let i = 0; i < STEMS; i++)
    writeFileSync(
      path.join(dir, `stems/stem${i}.wav`),
      encodeWav({ sampleRate: RATE, channels: stem(i) }, { format: 'wav24' }),
    );
  const project: ProjectFile = {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name: 'bench',
    sampleRate: RATE,
    tracks,
    master: DEFAULT_MASTER,
  };
  writeFileSync(path.join(dir, 'project.json'), JSON.stringify(project));
  // The same session with two stems recorded at 44.1 kHz: the engine resamples them a block at a
  // time, so its memory budget is still the sources as decoded plus the output plus 64 MB.
  const MIXED_AT_44K = 2;
  for (let i = 0; i < MIXED_AT_44K; i++)
    writeFileSync(
      path.join(dir, `stems/stem${i}-44k.wav`),
      encodeWav({ sampleRate: 44100, channels: stem(i, 44100) }, { format: 'wav24' }),
    );
  const mixedTracks = tracks.map((t, i) =>
    i < MIXED_AT_44K ? { ...t, source: { ...t.source, path: `stems/stem${i}-44k.wav` } } : t,
  );
  writeFileSync(
    path.join(dir, 'project-mixed-rates.json'),
    JSON.stringify({ ...project, tracks: mixedTracks }),
  );
  const mixedSourcesMb =
    ((STEMS - MIXED_AT_44K) * SECONDS * RATE * 2 * 4 + MIXED_AT_44K * SECONDS * 44100 * 2 * 4) / 2 ** 20;

  const sourcesMb = (STEMS * SECONDS * RATE * 2 * 4) / 2 ** 20;
  const outputMb = (SECONDS * RATE * 2 * 4) / 2 ** 20;
  const loadBefore = loadavg();

  // ffmpeg: the same chain per input (volume, EQ, compressor, constant-power pan), then amix without normalising.
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
  const graph = `${chains.join(';')};${tracks.map((_, i) => `[a${i}]`).join('')}amix=inputs=${STEMS}:normalize=0[out]`;
  const ffmpegMix = () =>
    ffmpeg([
      ...tracks.flatMap((_, i) => ['-i', path.join(dir, `stems/stem${i}.wav`)]),
      '-filter_complex',
      graph,
      '-map',
      '[out]',
      '-c:a',
      'pcm_s24le',
      path.join(dir, 'ffmpeg-mix.wav'),
    ]);
  const mixRuns = Array.from({ length: RUNS }, () => ({
    engine: engineJob('mix', path.join(dir, 'project.json'), path.join(dir, 'engine-mix.wav')),
    ffmpegMs: ffmpegMix().ms,
  }));
  const engineMix = fastest(mixRuns.map((r) => r.engine));
  const ffMix = { ms: Math.min(...mixRuns.map((r) => r.ffmpegMs)) };
  // One run of the mixed-rate session, ffmpeg resampling its two inputs as lavfi does by itself.
  const mixedEngine = engineJob(
    'mix',
    path.join(dir, 'project-mixed-rates.json'),
    path.join(dir, 'engine-mix-mixed-rates.wav'),
  );
  const mixedFfmpegMs = ffmpeg([
    ...mixedTracks.flatMap((t) => ['-i', path.join(dir, t.source.path)]),
    '-filter_complex',
    graph,
    '-map',
    '[out]',
    '-ar',
    String(RATE),
    '-c:a',
    'pcm_s24le',
    path.join(dir, 'ffmpeg-mix-mixed-rates.wav'),
  ]).ms;

  // Master of the engine's mix: engine vs ffmpeg's two-pass loudnorm to the same target.
  const mixFile = path.join(dir, 'engine-mix.wav');
  const loudnorm = () => {
    const pass1 = ffmpeg([
      '-i',
      mixFile,
      '-af',
      `loudnorm=I=${TARGET}:TP=${CEILING}:LRA=11:print_format=json`,
      '-f',
      'null',
      '-',
    ]);
    const m = JSON.parse(pass1.stderr.slice(pass1.stderr.lastIndexOf('{'))) as Record<string, string>;
    const pass2 = ffmpeg([
      '-i',
      mixFile,
      '-af',
      `loudnorm=I=${TARGET}:TP=${CEILING}:LRA=11:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true`,
      '-ar',
      String(RATE),
      '-c:a',
      'pcm_s24le',
      path.join(dir, 'ffmpeg-master.wav'),
    ]);
    return pass1.ms + pass2.ms;
  };
  const masterRuns = Array.from({ length: RUNS }, () => ({
    engine: engineJob('master', mixFile, path.join(dir, 'engine-master.wav')),
    ffmpegMs: loudnorm(),
  }));
  const engineMaster = fastest(masterRuns.map((r) => r.engine));
  const ffMasterMs = Math.min(...masterRuns.map((r) => r.ffmpegMs));
  const loadAfter = loadavg();
  const engineResult = ffmpegEbur128(path.join(dir, 'engine-master.wav'));
  const ffResult = ffmpegEbur128(path.join(dir, 'ffmpeg-master.wav'));

  const summary = {
    audioSeconds: SECONDS,
    mixEngineXRealtime: +(SECONDS / (engineMix.ms / 1000)).toFixed(1),
    mixFfmpegXRealtime: +(SECONDS / (ffMix.ms / 1000)).toFixed(1),
    mixRatioEngineOverFfmpeg: +(ffMix.ms / engineMix.ms).toFixed(2),
    // Memory is the worst run's.
    mixPeakMemoryMb: Math.round(Math.max(...mixRuns.map((r) => r.engine.maxRssMb))),
    mixPeakMemoryAboveBaselineMb: Math.round(
      Math.max(...mixRuns.map((r) => r.engine.maxRssMb - r.engine.baselineRssMb)),
    ),
    mixMemoryBudgetMb: Math.round(sourcesMb + outputMb + 64),
    mixedRatesEngineXRealtime: +(SECONDS / (mixedEngine.ms / 1000)).toFixed(1),
    mixedRatesFfmpegXRealtime: +(SECONDS / (mixedFfmpegMs / 1000)).toFixed(1),
    mixedRatesPeakMemoryAboveBaselineMb: Math.round(mixedEngine.maxRssMb - mixedEngine.baselineRssMb),
    mixedRatesMemoryBudgetMb: Math.round(mixedSourcesMb + outputMb + 64),
    masterEngineXRealtime: +(SECONDS / (engineMaster.ms / 1000)).toFixed(1),
    masterFfmpegLoudnormXRealtime: +(SECONDS / (ffMasterMs / 1000)).toFixed(1),
    masterRatioEngineOverFfmpeg: +(ffMasterMs / engineMaster.ms).toFixed(2),
    masterEngineLufs: engineResult.integrated,
    masterEngineTruePeakDbtp: engineResult.truePeak,
    masterFfmpegLufs: ffResult.integrated,
    masterFfmpegTruePeakDbtp: ffResult.truePeak,
  };
  const details = {
    runs: RUNS,
    mixRuns,
    masterRuns,
    // 1-minute load averages on this 2-core machine when the timed runs began and ended.
    loadAverage1m: { before: +(loadBefore[0] ?? 0).toFixed(2), after: +(loadAfter[0] ?? 0).toFixed(2) },
    sourcesMb,
    outputMb,
    target: TARGET,
    ceiling: CEILING,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/audio.json',
    `${JSON.stringify({ summary, details, measuredAt: new Date().toISOString() }, null, 2)}\n`,
  );
  console.table(summary);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
