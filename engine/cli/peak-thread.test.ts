// The master's peak work on a second thread (the built peak-thread.cjs, a real worker_threads
// thread) against the same work in line: the same numbers, in order, whatever the blocks; a pass
// given up is abandoned without harm; a thread that dies or fails is an error, not a hang.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterReport } from '../../contracts/audio';
import { inlinePeakWork, type PeakWork } from '../master/peak-work';
import { mulberry32 } from '../dsp/random';
import { encodeWav } from '../io/wav';
import { drumLoop, noiseSong } from '../test-support/signals';
import { peakWorkFor, runJob, type Share, ThreadPeakWork } from './peak-thread';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-peak-thread-'));
const script = pathToFileURL(path.resolve('dist/audio/peak-thread.cjs'));
const cli = (env: Record<string, string>, ...args: string[]) =>
  spawnSync('node', ['scripts/audio.cjs', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

beforeAll(() => {
  // Any run of the launcher builds the bundle (and the thread's script beside it) when stale.
  expect(cli({}, 'loudness', path.join(dir, 'missing.wav')).status).toBe(2);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loud noise with hard-clipped bursts near full scale: plenty of windows above any floor. */
function material(channels: number, frames: number, seed: number): Float32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: channels }, () => {
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      const burst = Math.floor(i / 3000) % 4 === 0 ? 1.4 : 0.3;
      x[i] = Math.max(-1, Math.min(1, (rng() * 2 - 1) * burst));
    }
    return x;
  });
}

/** Blocks of `sizes` frames of `audio`, each in arrays of the passes' largest size (n frames used). */
function* blocks(audio: Float32Array[], sizes: number[]) {
  const frames = audio[0]?.length ?? 0;
  for (let at = 0, i = 0; at < frames; i++) {
    const n = Math.min(sizes[i % sizes.length] as number, frames - at);
    const block = audio.map((ch) => {
      const b = new Float32Array(16384);
      b.set(ch.subarray(at, at + n));
      return b;
    });
    yield { block, n, i };
    at += n;
  }
}

/** The analysis' peak work over `audio`, then the render's (one pass at a time, as the master runs them). */
function run(work: PeakWork, audio: Float32Array[], rate: number, sizes: number[], floors: number[]) {
  const frames = audio[0]?.length ?? 0;
  const emitted: number[] = [];
  const peaks = work.chunkPeaks(rate, audio.length, 60, frames, 16384, (k, p) => {
    expect(k).toBe(emitted.length);
    emitted.push(p);
  });
  for (const { block, n, i } of blocks(audio, sizes))
    peaks.push(block, n, floors[i % floors.length] as number);
  peaks.finish();
  const meter = work.meter(rate, audio.length, 16384);
  for (const { block, n } of blocks(audio, sizes)) meter.push(block, n);
  return { emitted, reading: meter.finish() };
}

describe('the peak thread', () => {
  it('gives exactly the chunk peaks and the meter reading of the work in line, at several rates and widths', () => {
    const work = new ThreadPeakWork(script);
    try {
      for (const [rate, channels, seed] of [
        [48000, 2, 1],
        [44100, 1, 2],
        [22050, 6, 3],
        [96000, 2, 4],
      ] as const) {
        const audio = material(channels, 3 * rate + 123, seed);
        const sizes = [16384, 1000, 7, 16384, 4096];
        const floors = [0, 0.5, 0.9, 0.2];
        const here = run(inlinePeakWork, audio, rate, sizes, floors);
        const there = run(work, audio, rate, sizes, floors);
        expect(there.emitted.length).toBe(Math.ceil((audio[0]?.length ?? 0) / 60));
        expect(there.emitted).toEqual(here.emitted);
        expect(there.reading).toEqual(here.reading);
        expect(Number.isFinite(there.reading.truePeak)).toBe(true);
      }
    } finally {
      work.close();
    }
  }, 120_000);

  it('gives the same chunk peaks however the blocks are shared between the two threads', () => {
    const audio = material(2, 5 * 48000 + 77, 11);
    const sizes = [16384, 3000, 16384, 60, 16384, 1];
    const floors = [0, 0.6, 0.95, 0.3];
    const here = run(inlinePeakWork, audio, 48000, sizes, floors);
    const shares: [string, Share][] = [
      ['every other block here', (_behind, i) => i % 2 === 0],
      ['every block here', () => true],
      ['none here', () => false],
      ['runs of three', (_behind, i) => Math.floor(i / 3) % 2 === 1],
    ];
    for (const [name, share] of shares) {
      const work = new ThreadPeakWork(script, undefined, share);
      try {
        const there = run(work, audio, 48000, sizes, floors);
        expect(there.emitted, name).toEqual(here.emitted);
      } finally {
        work.close();
      }
    }
  }, 120_000);

  it('abandons a pass given up half-way and serves the next one', () => {
    const work = new ThreadPeakWork(script);
    try {
      const audio = material(2, 200_000, 5);
      const first = work.chunkPeaks(48000, 2, 64, 200_000, 16384, () => {});
      const half = audio.map((ch) => ch.subarray(0, 16384));
      first.push(half, 16384, 0);
      // A cancelled pass never finishes; the next pass starts on the same thread...
      const here = run(inlinePeakWork, audio, 48000, [16384], [0]);
      const there = run(work, audio, 48000, [16384], [0]);
      expect(there.emitted).toEqual(here.emitted);
      expect(there.reading).toEqual(here.reading);
      // ...and the one given up refuses more.
      expect(() => first.push(half, 16384, 0)).toThrow(/given up/);
    } finally {
      work.close();
    }
  }, 60_000);

  it('fails, without hanging, when the thread never answers', () => {
    const silent = path.join(dir, 'silent-thread.mjs');
    // A thread that takes no job (a script that is not the peak thread's).
    writeFileSync(silent, '');
    const work = new ThreadPeakWork(pathToFileURL(silent), 300);
    try {
      const meter = work.meter(48000, 2, 16384);
      const block = [new Float32Array(16384), new Float32Array(16384)];
      expect(() => {
        for (let i = 0; i < 20; i++) meter.push(block, 16384);
        meter.finish();
      }).toThrow(/stopped answering/);
    } finally {
      work.close();
    }
  });

  it('reports a failure of the work on its side (runJob, in this thread, with a failing work)', () => {
    const work = new ThreadPeakWork(script);
    // The job the thread would get, filled and closed beforehand so that runJob runs through here.
    let job: Parameters<typeof runJob>[0] | null = null;
    const spy = { postMessage: (j: typeof job) => (job = j) };
    try {
      (work as unknown as { worker: unknown }).worker = spy;
      const meter = work.meter(48000, 2, 16384);
      meter.push([new Float32Array(100), new Float32Array(100)], 100);
      const failing: PeakWork = {
        ...inlinePeakWork,
        meter: () => ({
          push() {
            throw new Error('broken');
          },
          finish: () => ({ integrated: 0, range: 0, truePeak: 0 }),
        }),
      };
      const stderr = process.stderr.write;
      process.stderr.write = () => true;
      try {
        runJob(job as unknown as Parameters<typeof runJob>[0], failing);
      } finally {
        process.stderr.write = stderr;
      }
      expect(() => meter.finish()).toThrow(/true-peak thread failed/);
    } finally {
      (work as unknown as { worker: unknown }).worker = null;
    }
  });

  it('is used only where it can help: a second core and the built script', () => {
    const saved = process.env.SIBERIA_AUDIO_THREADS;
    try {
      process.env.SIBERIA_AUDIO_THREADS = '1';
      expect(peakWorkFor(script).work).toBe(inlinePeakWork);
      process.env.SIBERIA_AUDIO_THREADS = '2';
      expect(peakWorkFor(pathToFileURL(path.join(dir, 'none.mjs'))).work).toBe(inlinePeakWork);
      const threaded = peakWorkFor(script);
      expect(threaded.work).toBeInstanceOf(ThreadPeakWork);
      threaded.close();
    } finally {
      if (saved === undefined) delete process.env.SIBERIA_AUDIO_THREADS;
      else process.env.SIBERIA_AUDIO_THREADS = saved;
    }
  });
});

describe('the command line master with and without the thread', () => {
  it('writes the very same file and report', () => {
    const files: [string, Parameters<typeof encodeWav>[0], string[]][] = [
      ['song', noiseSong(20, 48000, 7), ['--target', '-9']],
      // (24-bit: 16-bit is dithered afresh at every run.)
      ['drums', drumLoop(8, 44100), ['--target', '-12', '--ceiling', '-2', '--max-limiting', '20']],
      // Under 400 ms: measured whole; and under the limiter's lookahead.
      ['short', noiseSong(0.3, 48000, 8), []],
      ['tiny', noiseSong(0.004, 48000, 9), []],
    ];
    for (const [name, audio, flags] of files) {
      const input = path.join(dir, `${name}.wav`);
      writeFileSync(input, encodeWav(audio, { format: 'wav24' }));
      const outputs = ['1', '2'].map((threads) => {
        const out = path.join(dir, `${name}-${threads}.wav`);
        const done = cli({ SIBERIA_AUDIO_THREADS: threads }, 'master', input, '-o', out, ...flags);
        expect(done.status, done.stderr).toBe(0);
        return { report: MasterReport.parse(JSON.parse(done.stdout)), bytes: readFileSync(out) };
      });
      const [one, two] = outputs as [(typeof outputs)[0], (typeof outputs)[0]];
      expect(two.report, name).toEqual(one.report);
      expect(Buffer.compare(two.bytes, one.bytes), name).toBe(0);
    }
  }, 180_000);
});
