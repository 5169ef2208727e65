// The garbage an export makes as it streams: bytes of JavaScript heap allocated per second of audio
// by the mixer, the clip render, the resampler and the encoders, through the very functions the
// engine Worker (planarMixFrameSource → resampledSource → encodeSourceTo into a sink that gives its
// piece back, as the page does) and the CLI's `mix` (fileSource over openBytes → streamMix →
// createEncoder's encode, written to a writer that drops the bytes) call. Short-lived garbage is
// what made the renderer's memory climb during a long export (bench/export-memory.ts): V8 grows its
// young generation while a loop allocates fast.
//
// How: each case runs in a process of its own (`node --expose-gc`), twice, over a session of
// BENCH_GARBAGE_MINUTES (two lengths, default 1 and 3 minutes). Around each run, v8's GCProfiler
// records the used heap before and after every collection; allocated = (used at the end − used at
// the start) + Σ (before − after) over the collections. The difference between the two lengths,
// divided by the seconds of audio between them, is the allocation per second of audio in the
// steady-state loop (set-up, sources, encoder and the first piece cancel out). Large typed arrays'
// memory lies outside the heap: the same sum over V8's external memory is reported beside it
// (approximate: their memory is freed by a sweeper that may lag).
//
// Another revision is measured in the same run, interleaved: BENCH_GARBAGE_COMPARE=<git revision>
// (git archive into a temporary tree beside this checkout's node_modules). BENCH_GARBAGE_RUNS
// repeats (medians in the summary), BENCH_GARBAGE_CASES picks cases by name (comma-separated).
// Run: `BENCH_GARBAGE_COMPARE=4fa7a81 npx tsx bench/export-garbage.ts`. Writes
// bench/results/export-garbage.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Session } from 'node:inspector';
import v8 from 'node:v8';
import { DEFAULT_REVERB_BUS, newTrack, type Track } from '../contracts/project';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MINUTES = Number(process.env.BENCH_GARBAGE_MINUTES ?? 4);
const RUNS = Number(process.env.BENCH_GARBAGE_RUNS ?? 3);
/** Collections done on this thread, to the end: the heap's numbers after one are final. */
const CHILD_FLAGS = ['--expose-gc', '--single-threaded-gc'];
const PROFILE = process.env.BENCH_GARBAGE_PROFILE === '1';

type Case = {
  name: string;
  path: 'worker' | 'cli';
  format: 'wav16' | 'wav24' | 'wav32f' | 'flac24' | 'mp3-320';
  /** The stems' rate, the session's (the mix's), and the file's. */
  sourceRate: number;
  sessionRate: number;
  exportRate: number;
  /** Stems kept as 16-bit integers (the Worker's way with 16-bit files) rather than float. */
  int16?: boolean;
  /** EQ, compressor, fades and a reverb send on every track: the mixer's every stage. */
  desk?: boolean;
};

export const CASES: Case[] = [
  {
    name: 'worker wav24',
    path: 'worker',
    format: 'wav24',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
  },
  {
    name: 'worker wav16',
    path: 'worker',
    format: 'wav16',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
  },
  {
    name: 'worker wav32f',
    path: 'worker',
    format: 'wav32f',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
  },
  {
    name: 'worker wav24 16-bit stems',
    path: 'worker',
    format: 'wav24',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
    int16: true,
  },
  {
    name: 'worker wav24 stems 44.1→48 kHz',
    path: 'worker',
    format: 'wav24',
    sourceRate: 44100,
    sessionRate: 48000,
    exportRate: 48000,
  },
  {
    name: 'worker wav24 export 48→44.1 kHz',
    path: 'worker',
    format: 'wav24',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 44100,
  },
  {
    name: 'worker wav24 full desk',
    path: 'worker',
    format: 'wav24',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
    desk: true,
  },
  {
    name: 'worker flac24',
    path: 'worker',
    format: 'flac24',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
  },
  {
    name: 'worker mp3-320',
    path: 'worker',
    format: 'mp3-320',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
  },
  {
    name: 'cli wav24',
    path: 'cli',
    format: 'wav24',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
  },
  {
    name: 'cli wav24 stems 44.1→48 kHz',
    path: 'cli',
    format: 'wav24',
    sourceRate: 44100,
    sessionRate: 48000,
    exportRate: 48000,
  },
  {
    name: 'cli flac24',
    path: 'cli',
    format: 'flac24',
    sourceRate: 48000,
    sessionRate: 48000,
    exportRate: 48000,
  },
];

/** Two tracks, as the desk makes them (or with every stage of the strip on). */
function tracks(desk: boolean): Track[] {
  return ['a', 'b'].map((id, i) => {
    const t = newTrack(id, id, `${id}.wav`);
    if (!desk) return t;
    return {
      ...t,
      gainDb: -3,
      pan: i ? 0.3 : -0.3,
      eq: {
        low: { gainDb: 3, freqHz: 120 },
        mid: { gainDb: -2, freqHz: 1000, q: 0.7 },
        high: { gainDb: 2, freqHz: 8000 },
      },
      compressor: { ...t.compressor, enabled: true },
      clip: { ...t.clip, fadeInSec: 1, fadeOutSec: 1 },
      send: { enabled: true, levelDb: -12, preFader: false },
    };
  });
}

/** A stereo tone per track, float or 16-bit. */
function stem(frames: number, rate: number, i: number, int16: boolean) {
  const step = (2 * Math.PI * 110 * (i + 1)) / rate;
  return [0, 1].map((c) => {
    const x = int16 ? new Int16Array(frames) : new Float32Array(frames);
    for (let f = 0; f < frames; f++) {
      const v = 0.2 * Math.sin(step * f * (1 + c / 2));
      x[f] = int16 ? Math.round(v * 32767) : v;
    }
    return x;
  });
}

/**
 * What is allocated between two points of a run: at `start()` a collection, the heap's numbers and
 * the GC profiler on; at `stop()` a last collection and the numbers again. Allocated = (used at the
 * end − used at the start) + Σ (before − after) over every collection between (their numbers are
 * final: the child collects on its own thread, --single-threaded-gc).
 */
function allocationWindow() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const sampler = PROFILE ? allocationSampler() : null;
  let profiler: v8.GCProfiler | null = null;
  let start = v8.getHeapStatistics();
  let t0 = 0;
  return {
    start() {
      gc();
      start = v8.getHeapStatistics();
      profiler = new v8.GCProfiler();
      profiler.start();
      sampler?.start();
      t0 = performance.now();
    },
    stop() {
      const wallS = (performance.now() - t0) / 1000;
      sampler?.stop();
      gc();
      const end = v8.getHeapStatistics();
      const { statistics } = (profiler as v8.GCProfiler).stop();
      let heapBytes = end.used_heap_size - start.used_heap_size;
      let externalBytes = end.external_memory - start.external_memory;
      for (const s of statistics) {
        heapBytes += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
        externalBytes += s.beforeGC.heapStatistics.externalMemory - s.afterGC.heapStatistics.externalMemory;
      }
      return { heapBytes, externalBytes, collections: statistics.length - 1, wallS };
    },
  };
}

/**
 * With BENCH_GARBAGE_PROFILE=1: where the window's allocations come from (V8's sampling heap
 * profiler, a sample every 64 bytes), printed on stderr by function and caller. Sampling costs
 * allocations of its own: the figures of such a run are not the benchmark's.
 */
function allocationSampler() {
  const session = new Session();
  session.connect();
  // The session answers this thread's posts synchronously.
  const post = (method: string, params?: object) => {
    let out: unknown;
    session.post(method, params, (error, result) => {
      if (error) throw error;
      out = result;
    });
    return out as { profile: { head: SamplingNode } };
  };
  type SamplingNode = {
    callFrame: { functionName: string; url: string };
    selfSize: number;
    children: SamplingNode[];
  };
  return {
    start() {
      post('HeapProfiler.enable');
      post('HeapProfiler.startSampling', {
        samplingInterval: 64,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    },
    stop() {
      const { profile } = post('HeapProfiler.stopSampling');
      const sites = new Map<string, number>();
      const walk = (node: SamplingNode, callers: string[]) => {
        const f = node.callFrame;
        const here = `${f.functionName || '(anonymous)'} (${f.url.split('/').slice(-2).join('/')})`;
        const stack = [here, ...callers];
        if (node.selfSize > 0) {
          const site = stack.slice(0, 3).join(' ← ');
          sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
        }
        for (const child of node.children) walk(child, stack);
      };
      walk(profile.head, []);
      for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 20))
        console.error(`${bytes}\t${site}`);
    },
  };
}

type Measured = ReturnType<ReturnType<typeof allocationWindow>['stop']> & { audioSeconds: number };

/**
 * The mix as the encoder reads it, counted: the window opens once `from` frames have been read and
 * closes at `to`, so set-up and the compiler's first minutes stay out of it. Counting allocates
 * nothing.
 */
function counted<S extends { read(into: readonly Float32Array[], count: number): number }>(
  source: S,
  marks: { from: number; to: number; start(): void; stop(): void },
): S {
  let read = 0;
  const inner = source.read.bind(source);
  source.read = (into, count) => {
    if (read >= marks.from && read - count < marks.from) marks.start();
    if (read >= marks.to && read - count < marks.to) marks.stop();
    const n = inner(into, count);
    read += n;
    return n;
  };
  return source;
}

/**
 * One case over a session of `minutes`, with the engine of the tree at `root`: what is allocated
 * while the middle of the session is encoded (from a quarter of the way to its last 5 %).
 */
export async function runCase(root: string, c: Case, minutes: number, dir: string): Promise<Measured> {
  const load = <T>(file: string): Promise<T> => import(pathToFileURL(path.join(root, file)).href);
  const encoders = await load<typeof import('../engine/io/encoders')>('engine/io/encoders.ts');
  const sources = await load<typeof import('../engine/io/sources')>('engine/io/sources.ts');
  const render = await load<typeof import('../engine/mix/render')>('engine/mix/render.ts');
  const frames = Math.round(minutes * 60 * c.sourceRate);
  const input = {
    tracks: tracks(c.desk === true),
    master: { gainDb: 0 },
    reverb: c.desk ? DEFAULT_REVERB_BUS : undefined,
    sampleRate: c.sessionRate,
  };
  const window = allocationWindow();
  let measured: Omit<Measured, 'audioSeconds'> | null = null;
  // The window's edges in frames of what the encoder reads (at the export's rate, or the session's).
  const edges = (rate: number) => {
    const total = Math.round(minutes * 60 * rate);
    return {
      from: Math.round(total * 0.25),
      to: Math.round(total * 0.95),
      start: () => window.start(),
      stop: () => {
        measured = window.stop();
      },
    };
  };
  const result = (rate: number): Measured => {
    if (!measured) throw new Error('the window never closed');
    const { from, to } = edges(rate);
    return { ...(measured as Omit<Measured, 'audioSeconds'>), audioSeconds: (to - from) / rate };
  };
  if (c.path === 'worker') {
    const planar = await load<typeof import('../engine/mix/planar-render')>('engine/mix/planar-render.ts');
    const stems = input.tracks.map((t, i) => ({
      trackId: t.id,
      audio: { sampleRate: c.sourceRate, channels: stem(frames, c.sourceRate, i, c.int16 === true) },
    }));
    // The page writes each piece and gives its buffer back (engine.worker.ts's pieceSink).
    let spare: ArrayBuffer | undefined;
    let written = 0;
    const sink = {
      write: async (bytes: Uint8Array) => {
        written += bytes.byteLength;
        spare = bytes.buffer as ArrayBuffer;
      },
      patch: async () => {},
      recycled: () => {
        const given = spare;
        spare = undefined;
        return given;
      },
    };
    const mixed = planar.planarMixFrameSource({ ...input, sources: stems }, { onProgress: () => {} });
    const source = counted(sources.resampledSource(mixed, c.exportRate), edges(c.exportRate));
    await encoders.encodeSourceTo(source, c.format, sink, { tags: { title: '', artist: '' } });
    if (written === 0) throw new Error('nothing was written');
    return result(c.exportRate);
  }
  // The CLI: each stem a WAV file on disk, read a block at a time.
  const { encodeWav } = await load<typeof import('../engine/io/wav')>('engine/io/wav.ts');
  const files = await load<typeof import('../engine/cli/files')>('engine/cli/files.ts');
  const paths = input.tracks.map((t, i) => {
    const file = path.join(dir, `${t.id}.wav`);
    const channels = stem(frames, c.sourceRate, i, false) as Float32Array[];
    writeFileSync(file, encodeWav({ sampleRate: c.sourceRate, channels }, { format: 'wav24' }));
    return file;
  });
  const opened = paths.map((p) => files.openBytes(p));
  const streams = opened.map((bytes, i) => ({
    trackId: input.tracks[i]?.id as string,
    source: sources.fileSource(bytes),
  }));
  const length = render.mixLength(input.tracks, streams, c.sessionRate);
  const encoder = await encoders.createEncoder(c.format, {
    sampleRate: c.sessionRate,
    channelCount: 2,
    frames: length,
    tags: { title: '', artist: '' },
  });
  let written = encoder.header().byteLength;
  // The mix's blocks counted as they come (the same marks as the Worker's case, by blocks).
  const marks = edges(c.sessionRate);
  let mixed = 0;
  // As engine/cli/main.ts's render: the mix's blocks straight into the encoder, the bytes to a file.
  render.streamMix({ ...input, sources: streams }, (block, count) => {
    if (mixed >= marks.from && mixed - count < marks.from) marks.start();
    if (mixed >= marks.to && mixed - count < marks.to) marks.stop();
    mixed += count;
    written += encoder.encode(
      count === block[0].length ? block : block.map((b) => b.subarray(0, count)),
      count,
    ).byteLength;
  });
  for (const piece of encoder.finish().tail) written += piece.byteLength;
  for (const o of opened) o.close();
  if (written === 0) throw new Error('nothing was written');
  return result(c.sessionRate);
}

/** A child process: one case, printed as JSON. */
async function child(root: string, name: string): Promise<void> {
  const c = CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no case ${name}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-export-garbage-'));
  try {
    // A short run first, so that the compiler has seen the code (its own allocations stay out).
    await runCase(root, c, 0.5, dir);
    const m = await runCase(root, c, MINUTES, dir);
    console.log(
      JSON.stringify({
        heapBytesPerAudioSecond: Math.round(m.heapBytes / m.audioSeconds),
        externalBytesPerAudioSecond: Math.round(m.externalBytes / m.audioSeconds),
        heapBytes: m.heapBytes,
        externalBytes: m.externalBytes,
        collections: m.collections,
        audioSeconds: round2(m.audioSeconds),
        wallS: round2(m.wallS),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** A revision's tree (git archive) beside this checkout's node_modules. */
function treeOf(rev: string, into: string): { label: string; root: string } {
  const sha = spawnSync('git', ['rev-parse', '--short', rev], { encoding: 'utf8', cwd: HERE });
  if (sha.status !== 0) throw new Error(`no revision ${rev}`);
  const root = path.join(into, 'tree');
  mkdirSync(root);
  const unpack = spawnSync(
    'sh',
    ['-c', `git archive "$0" engine contracts tsconfig.base.json tsconfig.json | tar -x -C "$1"`, rev, root],
    {
      stdio: 'inherit',
      cwd: HERE,
    },
  );
  if (unpack.status !== 0) throw new Error(`git archive ${rev} failed`);
  symlinkSync(realpathSync(path.join(HERE, 'node_modules')), path.join(root, 'node_modules'));
  return { label: sha.stdout.trim(), root };
}

function hereLabel(): string {
  const sha = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
    cwd: HERE,
  }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', 'engine', 'contracts'], {
    encoding: 'utf8',
    cwd: HERE,
  }).stdout.trim();
  return dirty ? `${sha}+changes` : sha;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-export-garbage-'));
  try {
    const builds = [{ label: hereLabel(), root: HERE }];
    const compare = process.env.BENCH_GARBAGE_COMPARE;
    if (compare) builds.push(treeOf(compare, work));
    const wanted = process.env.BENCH_GARBAGE_CASES?.split(',');
    const cases = CASES.filter((c) => !wanted || wanted.includes(c.name));
    const runs: Array<{ build: string; case: string; run: number } & Record<string, unknown>> = [];
    for (let run = 0; run < RUNS; run++)
      for (const c of cases)
        for (const build of run % 2 ? [...builds].reverse() : builds) {
          const out = spawnSync(
            process.execPath,
            [...CHILD_FLAGS, '--import', 'tsx', fileURLToPath(import.meta.url)],
            {
              cwd: HERE,
              encoding: 'utf8',
              env: { ...process.env, BENCH_GARBAGE_CHILD: build.root, BENCH_GARBAGE_CASE: c.name },
              maxBuffer: 1 << 20,
            },
          );
          if (out.status !== 0) throw new Error(`${build.label} ${c.name}: ${out.stderr}`);
          const r = JSON.parse(out.stdout.trim().split('\n').pop() as string);
          console.error(
            `${build.label} ${c.name}: ${r.heapBytesPerAudioSecond} B/s heap, ${r.externalBytesPerAudioSecond} B/s external`,
          );
          runs.push({ build: build.label, case: c.name, run, ...r });
        }
    const summary: Record<string, Record<string, number>> = {};
    for (const c of cases)
      for (const build of builds) {
        const mine = runs.filter((r) => r.build === build.label && r.case === c.name);
        summary[`${build.label} ${c.name}`] = {
          heapBytesPerAudioSecond: median(mine.map((r) => r.heapBytesPerAudioSecond as number)),
          externalBytesPerAudioSecond: median(mine.map((r) => r.externalBytesPerAudioSecond as number)),
        };
      }
    const result = {
      summary,
      builds: builds.map((b) => ({
        label: b.label,
        root: b.root === HERE ? 'this checkout' : `git archive`,
      })),
      settings: {
        minutes: MINUTES,
        runs: RUNS,
        method:
          'v8.GCProfiler: (used heap at the end − at the start) + Σ(before − after) per collection; per second of audio = the difference between the two lengths / their seconds',
        cases,
      },
      runs,
      machine: { cpus: os.cpus().length, loadAverage1m: round2(os.loadavg()[0] ?? 0), node: process.version },
      measuredAt: new Date().toISOString(),
    };
    console.log(JSON.stringify(summary, null, 2));
    mkdirSync(path.join(HERE, 'bench/results'), { recursive: true });
    writeFileSync(
      path.join(HERE, 'bench/results/export-garbage.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const childRoot = process.env.BENCH_GARBAGE_CHILD;
if (childRoot) await child(childRoot, process.env.BENCH_GARBAGE_CASE as string);
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
