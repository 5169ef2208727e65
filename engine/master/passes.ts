// The master's passes over its input, each reading it front to back a block at a time from a fresh
// FrameSource: what they keep is a few numbers per chunk of ~64 frames (the K-weighted energy and
// the envelope the limiter needs), never the audio.
import type { FrameSource } from '../io/sources';
import { channelWeights, KWeighting } from '../loudness/k-weighting';
import { interpolatorReach, TruePeakDetector } from '../loudness/true-peak';
import {
  type ChunkSeries,
  memorySeries as memorySeriesStore,
  type SeriesStore,
  Widener,
} from './chunk-series';
import { ChunkLimiterGain, type LimiterTiming } from './limiter';
import { inlinePeakWork, type PeakWork } from './peak-work';
import type { Shaper } from './shaping';

/** Frames read at a time: large enough that per-block work is noise, small enough to stay in cache. */
export const BLOCK = 16384;

/** Largest divisor of the 100 ms sub-block up to 64 frames: chunks of energy that add up to sub-blocks exactly. */
export function chunkLength(subLength: number): number {
  for (let c = Math.min(64, subLength); c > 1; c--) if (subLength % c === 0) return c;
  return 1;
}

/** A block of `channels` × BLOCK frames and the reading of a source into it. */
function reader(source: FrameSource): { block: Float32Array[]; next(): number } {
  const block = Array.from({ length: source.channelCount }, () => new Float32Array(BLOCK));
  let left = source.frames;
  return {
    block,
    next() {
      if (left <= 0) return 0;
      const n = source.read(block, Math.min(BLOCK, left));
      left -= n;
      return n;
    },
  };
}

/**
 * K-weighted energy of every `chunk` frames, the channels summed with their BS.1770 weights (a
 * trailing partial chunk is left out), fed a block at a time. The samples' largest magnitude is
 * kept on the way.
 */
class ChunkEnergies {
  readonly energies: ChunkSeries;
  private readonly filters: KWeighting[];
  private readonly weights: number[];
  private k = 0;
  private fill = 0;
  private acc = 0;
  constructor(
    sampleRate: number,
    channelCount: number,
    private readonly chunk: number,
    frames: number,
    store: SeriesStore,
  ) {
    this.energies = store(Math.floor(frames / chunk));
    this.filters = Array.from({ length: channelCount }, () => new KWeighting(sampleRate));
    this.weights = channelWeights(channelCount);
    this.stereo = channelCount === 2;
  }
  private readonly stereo: boolean;
  /** One stretch of a stereo push: its energy added to the chunk's, which is stored once whole. */
  private readonly take = (energy: number, frames: number): void => {
    this.acc += energy;
    this.fill += frames;
    if (this.fill === this.chunk) {
      if (this.k < this.energies.length) this.energies.push(this.acc);
      this.k++;
      this.fill = 0;
      this.acc = 0;
    }
  };
  push(block: readonly Float32Array[], n: number): void {
    const chunk = this.chunk;
    const energies = this.energies;
    if (this.stereo) {
      const [left, right] = this.filters as [KWeighting, KWeighting];
      left.energiesPair(
        right,
        block[0] as Float32Array,
        block[1] as Float32Array,
        n,
        chunk - this.fill,
        chunk,
        this.take,
      );
      return;
    }
    for (let i = 0; i < n; ) {
      const take = Math.min(n - i, chunk - this.fill);
      let acc = this.acc;
      for (let c = 0; c < block.length; c++) {
        // The LFE is not weighted, but its peak counts.
        const e = (this.filters[c] as KWeighting).energy(block[c] as Float32Array, i, i + take);
        acc += (this.weights[c] as number) * e;
      }
      this.acc = acc;
      i += take;
      this.fill += take;
      if (this.fill === chunk) {
        if (this.k < energies.length) energies.push(this.acc);
        this.k++;
        this.fill = 0;
        this.acc = 0;
      }
    }
  }
  get peak(): number {
    let m = 0;
    for (const f of this.filters) m = Math.max(m, f.peak);
    return m;
  }
}

/** Reads a whole source through `shape`, for the largest |sample| of what comes out (the glue's threshold). */
export function peakPass(open: () => FrameSource, shape: Shaper | null, check: () => void): number {
  const source = open();
  const { block, next } = reader(source);
  let peak = 0;
  for (let n = next(); n > 0; n = next()) {
    check();
    shape?.(block, n);
    for (let c = 0; c < block.length; c++) {
      const ch = block[c] as Float32Array;
      for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(ch[i] as number));
    }
  }
  return peak;
}

export type Analysis = {
  sampleRate: number;
  channelCount: number;
  frames: number;
  chunk: number;
  subLength: number;
  /** K-weighted energy per chunk of the shaped audio; the input's, when shaping changes it. */
  energies: ChunkSeries;
  inputEnergies: ChunkSeries;
  /** True peak (linear) of the shaped audio and of the input. */
  truePeak: number;
  inputTruePeak: number;
  /**
   * Per chunk, the largest oversampled peak within the limiter's reach of it: the lookahead after
   * the chunk and the interpolator's reach either side. Exact above `floor`, at most `floor` elsewhere.
   */
  envelope: ChunkSeries;
  floor: number;
  /** Where the series are kept. */
  store: SeriesStore;
};

/** The limiter's envelope from each chunk's peak, as they come (see Widener). */
function envelopeOf(
  store: SeriesStore,
  chunks: number,
  chunk: number,
  timing: LimiterTiming,
  sampleRate: number,
): { envelope: ChunkSeries; widener: Widener } {
  // The gain of a frame averages the held gains of the lookahead before it, and the true peak near
  // a frame depends on the gains `reach` frames either side: each of those must already hold for it.
  const reach = interpolatorReach(sampleRate);
  const before = Math.ceil(reach / chunk);
  const after = Math.floor((chunk - 1 + timing.lookahead + reach) / chunk);
  const envelope = store(chunks);
  return { envelope, widener: new Widener(before, after, chunks, (v) => envelope.push(v)) };
}

/**
 * The analysis pass: the input's loudness and true peak, then shaped, its loudness per chunk and its
 * true peak. Its oversampled peaks are computed only where they can come within `depthDb` of the
 * loudest found so far, so its envelope is exact down to `depthDb` under the true peak: with the
 * most limiting allowed (and a margin) as the depth, the gain search needs no other pass; an
 * envelope pass makes it exact further down if ever it must.
 */
export function analysisPass(
  open: () => FrameSource,
  shape: Shaper | null,
  timing: LimiterTiming,
  subLength: (rate: number) => number,
  check: () => void,
  depthDb = 0,
  store: SeriesStore = memorySeriesStore,
  work: PeakWork = inlinePeakWork,
): Analysis {
  const source = open();
  const { sampleRate, channelCount, frames } = source;
  const sub = subLength(sampleRate);
  const chunk = chunkLength(sub);
  const chunks = Math.ceil(frames / chunk);
  const { envelope, widener } = envelopeOf(store, chunks, chunk, timing, sampleRate);
  const shaped = new ChunkEnergies(sampleRate, channelCount, chunk, frames, store);
  const input = shape ? new ChunkEnergies(sampleRate, channelCount, chunk, frames, store) : shaped;
  const inputPeaks = shape
    ? Array.from({ length: channelCount }, () => new TruePeakDetector(sampleRate))
    : [];
  let truePeak = 0;
  const chunkPeaks = work.chunkPeaks(sampleRate, channelCount, chunk, frames, BLOCK, (_k, p) => {
    widener.push(p);
    if (p > truePeak) truePeak = p;
  });
  const depth = 10 ** (-depthDb / 20);
  const { block, next } = reader(source);
  for (let n = next(); n > 0; n = next()) {
    check();
    if (shape) {
      input.push(block, n);
      inputPeaks.forEach((d, c) => {
        d.push((block[c] as Float32Array).subarray(0, n));
      });
      shape(block, n);
    }
    shaped.push(block, n);
    // What cannot come within depthDb of the loudest so far (nor of its sample peaks) need not be
    // interpolated: the loudest only rises, so what was skipped stays under the final floor.
    chunkPeaks.push(block, n, Math.max(truePeak, shaped.peak) * depth);
  }
  chunkPeaks.finish();
  widener.finish();
  const inputTruePeak = shape ? Math.max(input.peak, ...inputPeaks.map((d) => d.value())) : truePeak;
  return {
    sampleRate,
    channelCount,
    frames,
    chunk,
    subLength: sub,
    energies: shaped.energies,
    inputEnergies: input.energies,
    truePeak,
    inputTruePeak,
    envelope,
    floor: truePeak * depth,
    store,
  };
}

/**
 * The envelope pass: the shaped audio's oversampled peaks per chunk again, exact down to `floor`,
 * widened into the limiter's envelope (in place of the analysis' one).
 */
export function envelopePass(
  open: () => FrameSource,
  shape: Shaper | null,
  analysis: Analysis,
  floor: number,
  timing: LimiterTiming,
  check: () => void,
  work: PeakWork = inlinePeakWork,
): void {
  const source = open();
  const { sampleRate, channelCount, chunk, frames, store } = analysis;
  const { envelope, widener } = envelopeOf(store, Math.ceil(frames / chunk), chunk, timing, sampleRate);
  const chunkPeaks = work.chunkPeaks(sampleRate, channelCount, chunk, frames, BLOCK, (_k, p) => {
    widener.push(p);
  });
  const { block, next } = reader(source);
  for (let n = next(); n > 0; n = next()) {
    check();
    shape?.(block, n);
    chunkPeaks.push(block, n, floor);
  }
  chunkPeaks.finish();
  widener.finish();
  analysis.envelope = envelope;
  analysis.floor = floor;
}

export type Rendered = {
  integrated: number;
  range: number;
  truePeak: number;
};

/**
 * The render pass: shaped, × gain, × the limiter's gain (from the analysis' envelope), × `trim`,
 * measured as it is written a block at a time (loudness, range and true peak, as a fresh meter
 * reads the result). Without `write`, it is only measured.
 */
export function renderPass(
  open: () => FrameSource,
  shape: Shaper | null,
  analysis: Analysis,
  gain: number,
  limitCeiling: number,
  trim: number,
  timing: LimiterTiming,
  write: ((block: Float32Array[], count: number) => void) | null,
  check: () => void,
  work: PeakWork = inlinePeakWork,
): Rendered {
  const source = open();
  const { sampleRate, channelCount, chunk, frames } = analysis;
  const envelope = analysis.envelope.read();
  const limiter = new ChunkLimiterGain(limitCeiling / gain, timing);
  // Measured by `work` (perhaps on another thread: its true peak is the costly part).
  const meter = work.meter(sampleRate, channelCount, BLOCK);
  // Under 400 ms the meter has no block to gate: the whole is measured as the search measured it.
  const short =
    frames < 4 * analysis.subLength
      ? new ChunkEnergies(sampleRate, channelCount, chunk, frames, memorySeriesStore)
      : null;
  const gains = new Float64Array(BLOCK);
  const { block, next } = reader(source);
  const scale = gain * trim;
  let within = 0;
  let peak = 0;
  for (let n = next(); n > 0; n = next()) {
    check();
    shape?.(block, n);
    for (let o = 0; o < n; ) {
      const take = Math.min(n - o, chunk - within);
      // A chunk's envelope is read as its first frame comes (the last chunk may be partial).
      if (within === 0) peak = envelope();
      limiter.run(peak, take, gains, o);
      o += take;
      within += take;
      if (within === chunk) within = 0;
    }
    for (let c = 0; c < channelCount; c++) {
      const ch = block[c] as Float32Array;
      for (let i = 0; i < n; i++) ch[i] = (ch[i] as number) * scale * (gains[i] as number);
    }
    meter.push(block, n);
    short?.push(block, n);
    write?.(block, n);
  }
  const reading = meter.finish();
  let integrated = reading.integrated;
  if (!Number.isFinite(integrated) && short) {
    let total = 0;
    const energy = short.energies.read();
    for (let k = 0; k < short.energies.length; k++) total += energy();
    const whole = short.energies.length * chunk;
    const lufs = whole > 0 && total > 0 ? -0.691 + 10 * Math.log10(total / whole) : Number.NEGATIVE_INFINITY;
    integrated = lufs > -70 ? lufs : Number.NEGATIVE_INFINITY;
  }
  return { integrated, range: reading.range, truePeak: reading.truePeak };
}

/** A source copied through unchanged (the master of silence). */
export function copyPass(
  open: () => FrameSource,
  write: (block: Float32Array[], count: number) => void,
  check: () => void,
): void {
  const { block, next } = reader(open());
  for (let n = next(); n > 0; n = next()) {
    check();
    write(block, n);
  }
}
