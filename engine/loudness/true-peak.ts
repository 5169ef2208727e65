import { besselI0 } from '../dsp/kaiser';
/**
 * True-peak detection by polyphase oversampling (BS.1770-4 Annex 2): 4× below 96 kHz, 2× up to
 * 192 kHz, 1× above. The interpolator is a Kaiser-windowed sinc of 12 taps per phase.
 */
const TAPS_PER_PHASE = 12;
/** The interpolated points of the window ending at i lie around sample i − 6. */
const DELAY = TAPS_PER_PHASE / 2;
/**
 * Windows are scanned in blocks: a block whose largest sample, times the interpolator's largest
 * gain, cannot beat the level sought is skipped whole, without a single product.
 */
const BLOCK = 32;

function designPhases(factor: number): Float64Array[] {
  const length = TAPS_PER_PHASE * factor;
  const beta = 6;
  const centre = (length - 1) / 2;
  const phases = Array.from({ length: factor }, () => new Float64Array(TAPS_PER_PHASE));
  for (let n = 0; n < length; n++) {
    const t = (n - centre) / factor;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const r = (2 * n) / (length - 1) - 1;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / besselI0(beta);
    (phases[n % factor] as Float64Array)[Math.floor(n / factor)] = sinc * w;
  }
  // Each phase passes DC at unity, so a constant signal reads its own level.
  for (const phase of phases) {
    const sum = phase.reduce((a, b) => a + b, 0);
    for (let i = 0; i < phase.length; i++) phase[i] = (phase[i] as number) / sum;
  }
  return phases;
}

export function oversamplingFactor(sampleRate: number): number {
  return sampleRate < 96000 ? 4 : sampleRate <= 192000 ? 2 : 1;
}

/**
 * The interpolator's phases at this rate, 12 taps each, newest sample first: phase p's value for
 * the window ending at i is Σ_j phases[p][j] · x[i − j]. None at 1× (no interpolation).
 */
export function interpolatorPhases(sampleRate: number): Float64Array[] {
  const factor = oversamplingFactor(sampleRate);
  return factor > 1 ? designPhases(factor) : [];
}

/**
 * The interpolator folded by its symmetry. The filter is linear-phase, so phase p and phase
 * factor − 1 − p are each other's reverse: over the window x[i−11..i] their outputs A and B come from
 * s_j = x[i−j] + x[i−11+j] and d_j = x[i−j] − x[i−11+j] (j < 6) as A + B = Σ (a_j + a_{11−j}) s_j and
 * A − B = Σ (a_j − a_{11−j}) d_j, and max(|A|, |B|) = (|A + B| + |A − B|) / 2: half the products.
 * `sum`/`diff` hold those coefficients halved, 6 per pair, for up to two pairs (4×); a missing pair
 * is zeros. `bound` is the largest gain any phase can give.
 */
type Kernel = { sum: Float64Array; diff: Float64Array; bound: number; oversampled: boolean };

const kernels = new Map<number, Kernel>();

function kernelFor(sampleRate: number): Kernel {
  const factor = oversamplingFactor(sampleRate);
  const cached = kernels.get(factor);
  if (cached) return cached;
  const phases = designPhases(factor);
  const half = TAPS_PER_PHASE / 2;
  const sum = new Float64Array(2 * half);
  const diff = new Float64Array(2 * half);
  if (factor > 1) {
    for (let pair = 0; pair < factor / 2; pair++) {
      const a = phases[pair] as Float64Array;
      for (let j = 0; j < half; j++) {
        const lo = a[j] as number;
        const hi = a[TAPS_PER_PHASE - 1 - j] as number;
        sum[pair * half + j] = (lo + hi) / 2;
        diff[pair * half + j] = (lo - hi) / 2;
      }
    }
  }
  const bound = Math.max(1, ...phases.map((p) => p.reduce((acc, x) => acc + Math.abs(x), 0)));
  const kernel = { sum, diff, bound, oversampled: factor > 1 };
  kernels.set(factor, kernel);
  return kernel;
}

const sampleAt = (x: Float32Array, i: number): number => (i >= 0 && i < x.length ? (x[i] as number) : 0);

/**
 * Interpolated peaks of the windows ending at i for i in [from, to); samples outside x read as 0.
 * With `out`, each computed window's peak (and the sample at its centre) is written into
 * out[i − DELAY] where larger, and the level stays fixed: windows that cannot beat it may be skipped,
 * leaving their entries as they were. Without `out`, the level rises with
 * every sample and interpolated peak found (a running maximum), and the final level is returned.
 */
function scan(
  kernel: Kernel,
  x: Float32Array,
  from: number,
  to: number,
  level: number,
  out: Float32Array | null,
): number {
  const n = x.length;
  const bound = kernel.bound;
  const s = kernel.sum;
  const d = kernel.diff;
  const c0 = s[0] as number;
  const c1 = s[1] as number;
  const c2 = s[2] as number;
  const c3 = s[3] as number;
  const c4 = s[4] as number;
  const c5 = s[5] as number;
  const e0 = d[0] as number;
  const e1 = d[1] as number;
  const e2 = d[2] as number;
  const e3 = d[3] as number;
  const e4 = d[4] as number;
  const e5 = d[5] as number;
  const f0 = s[6] as number;
  const f1 = s[7] as number;
  const f2 = s[8] as number;
  const f3 = s[9] as number;
  const f4 = s[10] as number;
  const f5 = s[11] as number;
  const g0 = d[6] as number;
  const g1 = d[7] as number;
  const g2 = d[8] as number;
  const g3 = d[9] as number;
  const g4 = d[10] as number;
  const g5 = d[11] as number;
  const rising = out === null;
  // Each window ending in a block reaches 11 samples back: the block's own maximum and the previous
  // block's (which covers more than those 11) bound them, so every sample is read once here.
  let previous = 0;
  for (let j = from - (TAPS_PER_PHASE - 1) > 0 ? from - (TAPS_PER_PHASE - 1) : 0; j < from && j < n; j++)
    previous = Math.max(previous, Math.abs(x[j] as number));
  for (let b = from; b < to; b += BLOCK) {
    const end = b + BLOCK < to ? b + BLOCK : to;
    let own = 0;
    const last = end < n ? end : n;
    for (let j = b; j < last; j++) own = Math.max(own, Math.abs(x[j] as number));
    const local = Math.max(previous, own);
    previous = own;
    if (rising) level = Math.max(level, local);
    if (local * bound <= level || !kernel.oversampled) continue;
    let x1 = sampleAt(x, b - 1);
    let x2 = sampleAt(x, b - 2);
    let x3 = sampleAt(x, b - 3);
    let x4 = sampleAt(x, b - 4);
    let x5 = sampleAt(x, b - 5);
    let x6 = sampleAt(x, b - 6);
    let x7 = sampleAt(x, b - 7);
    let x8 = sampleAt(x, b - 8);
    let x9 = sampleAt(x, b - 9);
    let x10 = sampleAt(x, b - 10);
    let x11 = sampleAt(x, b - 11);
    for (let i = b; i < end; i++) {
      const x0 = i < n ? (x[i] as number) : 0;
      const s0 = x0 + x11;
      const s1 = x1 + x10;
      const s2 = x2 + x9;
      const s3 = x3 + x8;
      const s4 = x4 + x7;
      const s5 = x5 + x6;
      const d0 = x0 - x11;
      const d1 = x1 - x10;
      const d2 = x2 - x9;
      const d3 = x3 - x8;
      const d4 = x4 - x7;
      const d5 = x5 - x6;
      const pa = c0 * s0 + c1 * s1 + c2 * s2 + c3 * s3 + c4 * s4 + c5 * s5;
      const pb = e0 * d0 + e1 * d1 + e2 * d2 + e3 * d3 + e4 * d4 + e5 * d5;
      const qa = f0 * s0 + f1 * s1 + f2 * s2 + f3 * s3 + f4 * s4 + f5 * s5;
      const qb = g0 * d0 + g1 * d1 + g2 * d2 + g3 * d3 + g4 * d4 + g5 * d5;
      // Math.abs and Math.max compile without branches; sign tests on noise-like audio mispredict.
      // No phase falls on the sample at the window's centre: it counts too.
      const m = Math.max(Math.abs(pa) + Math.abs(pb), Math.abs(qa) + Math.abs(qb), Math.abs(x6));
      if (rising) level = Math.max(level, m);
      else if (m > level) {
        // Only peaks above the level are written: the rest may stay as they were, and mostly do.
        const at = i - DELAY;
        (out as Float32Array)[at] = Math.max(m, (out as Float32Array)[at] as number);
      }
      x11 = x10;
      x10 = x9;
      x9 = x8;
      x8 = x7;
      x7 = x6;
      x6 = x5;
      x5 = x4;
      x4 = x3;
      x3 = x2;
      x2 = x1;
      x1 = x0;
    }
  }
  return level;
}

/** Streaming true-peak meter for one channel (only the maximum matters, so most windows are skipped). */
export class TruePeakDetector {
  private readonly kernel: Kernel;
  /** The last 11 samples pushed, then up to 11 new ones: the windows that straddle two pushes. */
  private readonly seam = new Float32Array(2 * (TAPS_PER_PHASE - 1));
  private peak = 0;
  constructor(sampleRate: number) {
    this.kernel = kernelFor(sampleRate);
  }
  push(samples: Float32Array): void {
    const history = TAPS_PER_PHASE - 1;
    const head = Math.min(history, samples.length);
    const seam = this.seam;
    seam.set(samples.subarray(0, head), history);
    let peak = scan(this.kernel, seam, history, history + head, this.peak, null);
    // The windows wholly inside this push are read where they lie, without a copy.
    peak = scan(this.kernel, samples, history, samples.length, peak, null);
    this.peak = peak;
    if (samples.length >= history) seam.set(samples.subarray(samples.length - history));
    else seam.copyWithin(0, head, head + history);
  }
  /** Linear peak so far. */
  value(): number {
    return this.peak;
  }
  reset(): void {
    this.seam.fill(0);
    this.peak = 0;
  }
}

/**
 * Raises each entry of `out` to the oversampled peak of `samples` near it: the larger of |x[i]| and
 * the interpolated signal's largest magnitude in the window centred on i (the interpolator's delay of
 * half its length is taken out). Where that provably stays at or under `floor`, the entry may be left
 * as it was: callers pass a floor below which nothing they do depends on the value. Called once per
 * channel on the same `out`, it gives the largest of the channels.
 */
export function raiseToOversampledPeaks(
  out: Float32Array,
  samples: Float32Array,
  sampleRate: number,
  floor = 0,
  /** The largest |sample| of every `length` samples (at least 11), when the caller has them: whole stretches are then skipped without reading the samples again. */
  chunkPeaks?: { length: number; peaks: Float32Array },
): void {
  const n = samples.length;
  if (out.length !== n) throw new RangeError('The peaks and the samples must be the same length.');
  const kernel = kernelFor(sampleRate);
  if (!chunkPeaks) {
    scan(kernel, samples, DELAY, n + DELAY, floor, out);
    return;
  }
  const { length, peaks } = chunkPeaks;
  if (!(length >= TAPS_PER_PHASE - 1) || peaks.length !== Math.ceil(n / length))
    throw new RangeError('The chunk peaks must cover the samples, in chunks of at least 11.');
  // The windows ending in chunk k read chunks k − 1 and k only.
  const needed = (k: number) =>
    Math.max(peaks[k - 1] ?? 0, peaks[k] ?? 0) * kernel.bound > floor || !kernel.oversampled;
  const chunks = Math.ceil((n + DELAY) / length);
  for (let k = 0; k < chunks; k++) {
    if (!needed(k)) continue;
    let last = k;
    while (last + 1 < chunks && needed(last + 1)) last++;
    scan(kernel, samples, Math.max(DELAY, k * length), Math.min(n + DELAY, (last + 1) * length), floor, out);
    k = last;
  }
}

/**
 * Per-sample oversampled peak of one channel, never less than |x[i]|; where the interpolation
 * provably stays under `floor`, just |x[i]|.
 */
export function oversampledPeaks(samples: Float32Array, sampleRate: number, floor = 0): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.abs(samples[i] as number);
  raiseToOversampledPeaks(out, samples, sampleRate, floor);
  return out;
}

/**
 * True peak (linear) of whole channels, as TruePeakDetector would read it; the channels share one
 * running level, so the second is mostly skipped where it cannot beat the first.
 *
 * With each channel's largest |sample| per `length` samples (at least 11), the samples need not all
 * be read: the loudest chunk is interpolated first, which lifts the level close to the answer, and
 * then only the chunks whose samples could still beat it.
 */
export function truePeakOf(
  channels: readonly Float32Array[],
  sampleRate: number,
  chunkPeaks?: { length: number; peaks: readonly Float32Array[] },
): number {
  const kernel = kernelFor(sampleRate);
  let level = 0;
  if (!chunkPeaks) {
    for (const channel of channels) level = scan(kernel, channel, 0, channel.length, level, null);
    return level;
  }
  const { length, peaks } = chunkPeaks;
  const covers = channels.every((ch, c) => peaks[c]?.length === Math.ceil(ch.length / length));
  if (!(length >= TAPS_PER_PHASE - 1) || peaks.length !== channels.length || !covers)
    throw new RangeError('The chunk peaks must cover every channel, in chunks of at least 11.');
  // The windows ending in chunk k read chunks k − 1 and k only.
  const reach = (p: Float32Array, k: number) => Math.max(p[k - 1] ?? 0, p[k] ?? 0);
  const scanChunk = (c: number, k: number) => {
    const x = channels[c] as Float32Array;
    return scan(kernel, x, k * length, Math.min(x.length, (k + 1) * length), level, null);
  };
  let loudest = { c: -1, k: -1, peak: -1 };
  peaks.forEach((p, c) => {
    for (let k = 0; k < p.length; k++)
      if ((p[k] as number) > loudest.peak) loudest = { c, k, peak: p[k] as number };
  });
  if (loudest.c < 0) return 0;
  for (const k of [loudest.k, loudest.k + 1])
    if (k < (peaks[loudest.c] as Float32Array).length) level = scanChunk(loudest.c, k);
  peaks.forEach((p, c) => {
    for (let k = 0; k < p.length; k++) if (reach(p, k) * kernel.bound > level) level = scanChunk(c, k);
  });
  return level;
}
