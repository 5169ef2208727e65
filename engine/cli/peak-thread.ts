// The master's oversampled-peak work on a second thread (node:worker_threads), for the command
// line: the true-peak interpolation is about half of a master's time and needs only the audio, so
// it runs beside the decoding, K-weighting, limiting and encoding instead of after them. A machine
// with two cores then masters in little more than the time of the larger half.
//
// Each pass is a job: this thread copies its blocks into a ring of shared slots and goes on; the
// peak thread runs the very same code the inline work runs (inlinePeakWork) on them, and hands the
// chunks' peaks back through a second shared ring, in order. Both sides block only when a ring is
// full or empty (Atomics.wait), so memory is the rings', whatever the length of the song.
//
// In the analysis the peaks are most of the work and this thread has less to do (decoding,
// K-weighting): instead of waiting on a full ring, it reads a block's windows itself and the peak
// thread only keeps that block as history. Each side then emits every chunk with the peaks of the
// windows it read, and the chunk's peak is the larger of the two (exact: StreamChunkPeaks.push).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StreamChunkPeaks } from '../loudness/true-peak';
import { inlinePeakWork, type PeakWork } from '../master/peak-work';

/** Blocks the ring holds: the main thread may run this far ahead (also over the thread's start). */
const SLOTS = 8;
/**
 * Whether the main thread reads a chunk job's block itself, given how many blocks the peak thread
 * has yet to finish (and the block's index): by default when the ring is nearly full, so the main
 * thread takes what would otherwise be waiting, and both threads stay busy.
 */
export type Share = (behind: number, index: number) => boolean;
const nearlyFull: Share = (behind) => behind >= SLOTS - 2;

/** Control words (Int32). */
const WRITE = 0; // blocks pushed
const READ = 1; // blocks the thread has taken
const CLOSED = 2; // 1: no more blocks
const DONE = 3; // 1: the thread has finished the job (every result written)
const RESULTS = 4; // chunk peaks written
const TAKEN = 5; // chunk peaks read back
const SEQ = 6; // bumped (and notified) whenever the thread moves on: what the main thread waits on
const ABORT = 7; // 1: the job is given up (a cancelled pass)
const FAILED = 8; // 1: the thread failed
const WORDS = 9;

/** A job as posted to the thread: every buffer shared. */
type Job = {
  kind: 'chunks' | 'meter';
  sampleRate: number;
  channelCount: number;
  chunk: number;
  frames: number;
  maxBlock: number;
  ctrl: SharedArrayBuffer;
  /** SLOTS × channelCount × maxBlock samples. */
  data: SharedArrayBuffer;
  /** Per slot: frames (Int32) … */
  counts: SharedArrayBuffer;
  /** … 1 where the main thread reads the block's windows itself (Int32) … */
  skips: SharedArrayBuffer;
  /** … and the floor (Float64). */
  floors: SharedArrayBuffer;
  /** The chunks' peaks (Float32 ring), or the meter's reading (three Float64). */
  results: SharedArrayBuffer;
};

/** With no sign of life from the thread for a minute, a pass fails rather than hang. */
const STALL_MS = 60_000;

/** The peak thread's side of a job: runs until the main thread closes (or gives up) the ring. */
export function runJob(job: Job, work: PeakWork = inlinePeakWork): void {
  const ctrl = new Int32Array(job.ctrl);
  const counts = new Int32Array(job.counts);
  const skips = new Int32Array(job.skips);
  const floors = new Float64Array(job.floors);
  const data = new Float32Array(job.data);
  const { channelCount, maxBlock } = job;
  const slot = (s: number) =>
    Array.from({ length: channelCount }, (_, c) =>
      data.subarray((s * channelCount + c) * maxBlock, (s * channelCount + c + 1) * maxBlock),
    );
  const moved = () => {
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
  };
  try {
    const results = job.kind === 'chunks' ? new Float32Array(job.results) : null;
    let written = 0;
    const emit = (_k: number, peak: number) => {
      const ring = results as Float32Array;
      // Room is made by the main thread reading back; it reads at every push and while it waits.
      while (written - Atomics.load(ctrl, TAKEN) >= ring.length) {
        if (Atomics.load(ctrl, ABORT)) throw new Aborted();
        moved();
        Atomics.wait(ctrl, TAKEN, Atomics.load(ctrl, TAKEN), 20);
      }
      ring[written % ring.length] = peak;
      written++;
      Atomics.store(ctrl, RESULTS, written);
    };
    const stream =
      job.kind === 'chunks'
        ? work.chunkPeaks(job.sampleRate, channelCount, job.chunk, job.frames, maxBlock, emit)
        : null;
    const meter = job.kind === 'meter' ? work.meter(job.sampleRate, channelCount, maxBlock) : null;
    for (let read = 0; ; ) {
      if (Atomics.load(ctrl, ABORT)) return;
      const pushed = Atomics.load(ctrl, WRITE);
      if (read === pushed) {
        if (Atomics.load(ctrl, CLOSED)) break;
        Atomics.wait(ctrl, WRITE, pushed, 1000);
        continue;
      }
      const s = read % SLOTS;
      const n = counts[s] as number;
      if (stream) stream.push(slot(s), n, floors[s] as number, skips[s] === 1);
      else meter?.push(slot(s), n);
      read++;
      Atomics.store(ctrl, READ, read);
      moved();
    }
    if (stream) stream.finish();
    if (meter) {
      const { integrated, range, truePeak } = meter.finish();
      new Float64Array(job.results).set([integrated, range, truePeak]);
    }
    Atomics.store(ctrl, DONE, 1);
  } catch (error) {
    if (error instanceof Aborted) return;
    Atomics.store(ctrl, FAILED, 1);
    process.stderr.write(`The true-peak thread failed: ${String((error as Error)?.stack ?? error)}\n`);
  } finally {
    moved();
  }
}

class Aborted extends Error {}

/**
 * The main thread's side: a PeakWork whose streams copy each block into the ring and read the
 * results back as they come. One job runs at a time (the master's passes run one after another).
 */
export class ThreadPeakWork implements PeakWork {
  private worker: Worker | null = null;
  /** The job in flight, given up if another starts before it finished (a cancelled pass). */
  private current: Int32Array | null = null;

  constructor(
    private readonly script: URL,
    /** With no sign of life from the thread for this long, the pass fails rather than hang. */
    private readonly stallMs = STALL_MS,
    private readonly share: Share = nearlyFull,
  ) {}

  /** Starts the thread ahead of its first job (its start-up then overlaps the command's). */
  warm(): void {
    if (this.worker) return;
    this.worker = new Worker(fileURLToPath(this.script));
    // The thread must not keep the process alive once the command is done.
    this.worker.unref();
  }

  /** Gives up the job in flight, if any: the thread leaves it at its next wake-up. */
  private giveUp(): void {
    if (!this.current) return;
    Atomics.store(this.current, ABORT, 1);
    Atomics.notify(this.current, WRITE);
    Atomics.notify(this.current, TAKEN);
    this.current = null;
  }

  private start(job: Job): Int32Array {
    this.giveUp();
    this.warm();
    this.worker?.postMessage(job);
    this.current = new Int32Array(job.ctrl);
    return this.current;
  }

  /** Stops the thread (the process would exit anyway: it is unref'd). */
  close(): void {
    this.giveUp();
    void this.worker?.terminate();
    this.worker = null;
  }

  private ring(
    kind: Job['kind'],
    sampleRate: number,
    channelCount: number,
    chunk: number,
    frames: number,
    maxBlock: number,
    /** Each chunk's peak as the thread hands it back (chunk jobs). */
    emit: (k: number, peak: number) => void = () => {},
  ) {
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    const job: Job = {
      kind,
      sampleRate,
      channelCount,
      chunk,
      frames,
      maxBlock,
      ctrl: shared(4 * WORDS),
      data: shared(4 * SLOTS * channelCount * maxBlock),
      counts: shared(4 * SLOTS),
      skips: shared(4 * SLOTS),
      floors: shared(8 * SLOTS),
      // Room for every chunk of the blocks in the ring and more: the thread never waits on it
      // while the main thread reads back at each push.
      results: shared(kind === 'chunks' ? 4 * (SLOTS + 2) * (maxBlock + 64) : 3 * 8),
    };
    const ctrl = this.start(job);
    const data = new Float32Array(job.data);
    const counts = new Int32Array(job.counts);
    const skips = new Int32Array(job.skips);
    const floors = new Float64Array(job.floors);
    const results = new Float32Array(job.results);
    let pushed = 0;
    let taken = 0;
    /** Reads back the chunk peaks the thread has written, making room for more. */
    const drain = () => {
      const written = Atomics.load(ctrl, RESULTS);
      if (written === taken) return;
      for (; taken < written; taken++) emit(taken, results[taken % results.length] as number);
      Atomics.store(ctrl, TAKEN, taken);
      Atomics.notify(ctrl, TAKEN);
    };
    const failed = () => {
      if (Atomics.load(ctrl, FAILED)) throw new Error('The true-peak thread failed (see above).');
    };
    /** Waits for the thread to move on (or fails: the thread failed, or stalled). */
    const wait = (seq: number) => {
      if (Atomics.wait(ctrl, SEQ, seq, this.stallMs) === 'timed-out')
        throw new Error('The true-peak thread stopped answering.');
      failed();
    };
    /** The job is over: a job started after it need not give it up. */
    const done = () => {
      if (this.current === ctrl) this.current = null;
    };
    const live = () => {
      if (Atomics.load(ctrl, ABORT)) throw new Error('This pass was given up: another has started.');
    };
    return {
      /** Blocks pushed that the thread has not finished. */
      behind: () => pushed - Atomics.load(ctrl, READ),
      push(block: readonly Float32Array[], count: number, floor: number, skip = false) {
        if (count > maxBlock) throw new RangeError('Block larger than announced.');
        live();
        drain();
        for (;;) {
          const seq = Atomics.load(ctrl, SEQ);
          if (pushed - Atomics.load(ctrl, READ) < SLOTS) break;
          wait(seq);
          drain();
        }
        const s = pushed % SLOTS;
        for (let c = 0; c < channelCount; c++) {
          const ch = block[c] as Float32Array;
          data.set(count === ch.length ? ch : ch.subarray(0, count), (s * channelCount + c) * maxBlock);
        }
        counts[s] = count;
        skips[s] = skip ? 1 : 0;
        floors[s] = floor;
        pushed++;
        Atomics.store(ctrl, WRITE, pushed);
        Atomics.notify(ctrl, WRITE);
      },
      /** Waits for the thread to finish the job; answers its results (see Job). */
      finish(): ArrayBufferLike {
        live();
        Atomics.store(ctrl, CLOSED, 1);
        Atomics.notify(ctrl, WRITE);
        for (;;) {
          const seq = Atomics.load(ctrl, SEQ);
          drain();
          failed();
          if (Atomics.load(ctrl, DONE)) break;
          wait(seq);
        }
        drain();
        done();
        return job.results;
      },
    };
  }

  chunkPeaks(
    sampleRate: number,
    channelCount: number,
    chunk: number,
    frames: number,
    maxBlock: number,
    emit: (k: number, peak: number) => void,
  ) {
    // Each side emits every chunk, in order; a chunk's peak is the larger of its two. Neither side
    // runs further ahead of the other than the ring's blocks (and a block closes at most
    // maxBlock / chunk + 1 chunks; the end, one more).
    const room = (SLOTS + 2) * (Math.ceil(maxBlock / chunk) + 2);
    const mine = new Float32Array(room);
    const theirs = new Float32Array(room);
    let mineCount = 0;
    let theirsCount = 0;
    let merged = 0;
    const flush = () => {
      const ready = mineCount < theirsCount ? mineCount : theirsCount;
      for (; merged < ready; merged++) {
        const a = mine[merged % room] as number;
        const b = theirs[merged % room] as number;
        emit(merged, a > b ? a : b);
      }
    };
    const ring = this.ring('chunks', sampleRate, channelCount, chunk, frames, maxBlock, (_k, peak) => {
      theirs[theirsCount++ % room] = peak;
      flush();
    });
    const here = new StreamChunkPeaks(sampleRate, channelCount, chunk, frames, maxBlock, (_k, peak) => {
      mine[mineCount++ % room] = peak;
      flush();
    });
    const share = this.share;
    let index = 0;
    return {
      push(block: readonly Float32Array[], count: number, floor: number) {
        const take = share(ring.behind(), index++);
        // Into the ring first: the thread goes on while this one reads its block.
        ring.push(block, count, floor, take);
        here.floor = floor;
        here.push(block, count, !take);
      },
      finish() {
        here.finish();
        ring.finish();
        flush();
      },
    };
  }

  meter(sampleRate: number, channelCount: number, maxBlock: number) {
    const ring = this.ring('meter', sampleRate, channelCount, 1, 0, maxBlock);
    return {
      push: (block: readonly Float32Array[], count: number) => ring.push(block, count, 0),
      finish: () => {
        const [integrated, range, truePeak] = new Float64Array(ring.finish()) as unknown as [
          number,
          number,
          number,
        ];
        return { integrated, range, truePeak };
      },
    };
  }
}

/**
 * The peak work for this command line: a second thread when the machine has a second core and the
 * thread's script was built beside the command line's (dist/audio/peak-thread.cjs), else in line.
 * SIBERIA_AUDIO_THREADS=1 keeps it in line.
 */
export function peakWorkFor(script: URL): { work: PeakWork; close(): void } {
  const threads = Number(process.env.SIBERIA_AUDIO_THREADS ?? availableParallelism());
  if (!(threads >= 2) || script.protocol !== 'file:' || !existsSync(fileURLToPath(script)))
    return { work: inlinePeakWork, close() {} };
  const work = new ThreadPeakWork(script);
  work.warm();
  return { work, close: () => work.close() };
}
