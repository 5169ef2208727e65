// Where the master's oversampled-peak work runs. Interpolating true peaks is most of a master's
// time; it depends only on the audio, so the command line hands it to a second thread
// (engine/cli/peak-thread.ts) while this one decodes, K-weights, limits and encodes. The app's
// Worker, and any caller that gives none, runs it here, in line. Both give the same numbers.
import { LoudnessMeter } from '../loudness/meter';
import { StreamChunkPeaks } from '../loudness/true-peak';

/** Oversampled peaks per chunk, as StreamChunkPeaks computes them. */
export interface ChunkPeakStream {
  /**
   * The next `count` frames; windows that provably stay at or under `floor` may be left out (see
   * StreamChunkPeaks). Chunks are emitted in order, possibly some pushes later. `skip`: another
   * stream reads this block's windows (StreamChunkPeaks.push).
   */
  push(block: readonly Float32Array[], count: number, floor: number, skip?: boolean): void;
  /** After the last push: every chunk not yet emitted is, before this returns. */
  finish(): void;
}

/** What a fresh LoudnessMeter (true peak included) reads of a stream. */
export type Reading = { integrated: number; range: number; truePeak: number };

export interface MeterStream {
  push(block: readonly Float32Array[], count: number): void;
  /** After the last push. */
  finish(): Reading;
}

export interface PeakWork {
  chunkPeaks(
    sampleRate: number,
    channelCount: number,
    chunk: number,
    frames: number,
    maxBlock: number,
    emit: (k: number, peak: number) => void,
  ): ChunkPeakStream;
  /** The render's measurement: its true peak is the costly part, its K-weighting goes along. */
  meter(sampleRate: number, channelCount: number, maxBlock: number): MeterStream;
}

/** The work done in line, on the caller's thread. */
export const inlinePeakWork: PeakWork = {
  chunkPeaks(sampleRate, channelCount, chunk, frames, maxBlock, emit) {
    const peaks = new StreamChunkPeaks(sampleRate, channelCount, chunk, frames, maxBlock, emit);
    return {
      push(block, count, floor, skip = false) {
        peaks.floor = floor;
        peaks.push(block, count, skip);
      },
      finish: () => peaks.finish(),
    };
  },
  meter(sampleRate, channelCount, maxBlock) {
    const meter = new LoudnessMeter(sampleRate, channelCount, true);
    return {
      push(block, count) {
        if (count > maxBlock) throw new RangeError('Block larger than announced.');
        meter.push(block.map((ch) => (count === ch.length ? ch : ch.subarray(0, count))));
      },
      finish: () => ({
        integrated: meter.integrated(),
        range: meter.loudnessRange(),
        truePeak: meter.truePeak(),
      }),
    };
  },
};
