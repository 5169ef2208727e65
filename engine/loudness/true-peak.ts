import { besselI0 } from '../dsp/kaiser';
import { scanSimd, simdServes } from './true-peak-simd';
/**
 * True-peak detection by polyphase oversampling (after BS.1770-4 Annex 2), tuned to agree with a 16×
 * oversampled reference to within 0.1 dB across the audio band:
 *
 * - the interpolator is a Kaiser-windowed sinc, longer at low rates (where audible content reaches
 *   Nyquist) and shorter at high rates (where 20 kHz is a small fraction of it);
 * - between the F interpolated points of each sample interval, the largest is refined by a parabola
 *   through it and its two neighbours: on a band-limited signal the peak between points is then read
 *   to within a few thousandths of a dB, where plain 4× can read up to 0.7 dB low near Nyquist.
 *
 * Window n is the interval between x[n] and x[n + 1]; its points are x[n] and the interpolated
 * y(n + k/F), k = 1 … F − 1, each a dot product with the taps x[n − H + 1 … n + H] (H = taps / 2).
 * Phases k and F − k are each other's reverse, so they are computed together from the sums and
 * differences of mirrored taps (half the products).
 */
type Design = { factor: number; taps: number; beta: number };

/** Factor and interpolator length by rate: more of both where Nyquist lies within the audio band. */
/** The meter and the limiter share it, so what the limiter acts on is what the meter reports. */
export function interpolatorDesign(sampleRate: number): Design {
  const factor = sampleRate < 40000 ? 8 : 4;
  if (sampleRate < 40000) return { factor, taps: 64, beta: 10 };
  // 20 kHz is 0.45 of 44.1 kHz's rate, 0.42 of 48 kHz's: the first needs the sharper cut.
  if (sampleRate < 46000) return { factor, taps: 48, beta: 9 };
  return { factor, taps: 32, beta: 8 };
}

export function oversamplingFactor(sampleRate: number): number {
  return interpolatorDesign(sampleRate).factor;
}

/** The windowed sinc at u samples from its centre, zero beyond ±half (`norm` is I0(beta)). */
function windowedSinc(u: number, half: number, beta: number, norm: number): number {
  if (Math.abs(u) >= half) return 0;
  const r = u / half;
  const x = Math.PI * u;
  return ((x === 0 ? 1 : Math.sin(x) / x) * besselI0(beta * Math.sqrt(1 - r * r))) / norm;
}

/**
 * Phase k's taps for x[n − H + 1 … n + H] (oldest first), each phase passing DC at unity so a
 * constant reads its own level. Exported for the tests' textbook interpolator.
 */
export function interpolatorPhases(sampleRate: number): Float64Array[] {
  const { factor, taps, beta } = interpolatorDesign(sampleRate);
  const half = taps / 2;
  const norm = besselI0(beta);
  const phases: Float64Array[] = [];
  for (let k = 1; k < factor; k++) {
    const tau = k / factor;
    const phase = new Float64Array(taps);
    for (let t = 0; t < taps; t++) phase[t] = windowedSinc(tau - (t - half + 1), half, beta, norm);
    const sum = phase.reduce((a, b) => a + b, 0);
    for (let t = 0; t < taps; t++) phase[t] = (phase[t] as number) / sum;
    phases.push(phase);
  }
  return phases;
}

/**
 * The interpolator folded by its symmetry: for the phase pair (k, F − k), with s_j = x[n − j] +
 * x[n + 1 + j] and d_j = x[n − j] − x[n + 1 + j], P = Σ sum_j s_j and Q = Σ diff_j d_j give
 * y(n + k/F) = P + Q and y(n + 1 − k/F) = P − Q. The middle phase (F/2) is its own mirror: only P.
 * `bound` is the largest any point, refined, can be over the largest |tap|.
 */
type Kernel = {
  factor: number;
  half: number;
  /** Per pair k = 1 … F/2 − 1, then the middle phase: H coefficients each. */
  sum: Float32Array;
  diff: Float32Array;
  bound: number;
  /** One window's points and folded taps, reused (scans never run inside one another). */
  scratch: Scratch;
  /** Whether the WebAssembly SIMD scan serves this design (4×, a length it was built for). */
  simd: boolean;
};

let simdEnabled = true;
/**
 * Turns the WebAssembly scan off (or on again): the tests and the benchmark compare it with the
 * JavaScript one, which also serves where WebAssembly is missing.
 */
export function setSimdScan(on: boolean): void {
  simdEnabled = on;
}

const kernels = new Map<number, Kernel>();

function kernelFor(sampleRate: number): Kernel {
  const design = interpolatorDesign(sampleRate);
  const key = design.factor * 1000 + design.taps;
  const cached = kernels.get(key);
  if (cached) return cached;
  const phases = interpolatorPhases(sampleRate);
  const { factor } = design;
  const half = design.taps / 2;
  const pairs = factor / 2;
  // Single precision, as the SIMD scan computes: both scans then give the very same peaks (f32 is
  // ample: its rounding is 140 dB under the signal).
  const sum = new Float32Array(pairs * half);
  const diff = new Float32Array(pairs * half);
  for (let k = 1; k <= pairs; k++) {
    const a = phases[k - 1] as Float64Array;
    for (let j = 0; j < half; j++) {
      // Tap of x[n − j] is a[H − 1 − j]; tap of x[n + 1 + j] is a[H + j].
      const older = a[half - 1 - j] as number;
      const newer = a[half + j] as number;
      if (k === pairs) sum[(k - 1) * half + j] = older;
      else {
        sum[(k - 1) * half + j] = (older + newer) / 2;
        diff[(k - 1) * half + j] = (older - newer) / 2;
      }
    }
  }
  // A refined point exceeds the largest of its three by at most a quarter of it (see refine).
  const gain = Math.max(1, ...phases.map((p) => p.reduce((acc, x) => acc + Math.abs(x), 0)));
  const kernel = {
    factor,
    half,
    sum,
    diff,
    bound: 1.25 * gain,
    scratch: { points: new Float32Array(factor + 1), s: new Float32Array(half), d: new Float32Array(half) },
    simd: factor === 4 && simdServes(half),
  };
  kernels.set(key, kernel);
  return kernel;
}

/**
 * The peak of the parabola through three consecutive points when the middle one is the largest in
 * magnitude, else that magnitude. With b ≥ a, c (signs taken out) the vertex lies within half a
 * step and exceeds b by (a − c)² / 8(2b − a − c) ≤ |a − c| / 8.
 */
function refine(a: number, b: number, c: number): number {
  // In single precision, step by step as the SIMD scan does (−0 counts as negative there too).
  const s = b < 0 || (b === 0 && 1 / b < 0) ? -1 : 1;
  const A = a * s;
  const B = b * s;
  const C = c * s;
  const den = f32(f32(f32(B + B) - A) - C);
  if (!(B >= A && B >= C && den > 0)) return B;
  const d = f32(A - C);
  return f32(B + f32(f32(d * d) / f32(den * 8)));
}

const f32 = Math.fround;

/** Scratch for one window's points (signed): index 0 is x[n], F is x[n + 1]. */
type Scratch = { points: Float32Array; s: Float32Array; d: Float32Array };

/** Fills scratch.points for window n; samples outside x read as 0. */
function windowPoints(kernel: Kernel, x: Float32Array, n: number, scratch: Scratch): void {
  const { half, factor, sum, diff } = kernel;
  const { points, s, d } = scratch;
  const len = x.length;
  if (n - half + 1 >= 0 && n + half < len) {
    for (let j = 0; j < half; j++) {
      const older = x[n - j] as number;
      const newer = x[n + 1 + j] as number;
      s[j] = older + newer;
      d[j] = older - newer;
    }
  } else {
    for (let j = 0; j < half; j++) {
      const i = n - j;
      const k = n + 1 + j;
      const older = i >= 0 && i < len ? (x[i] as number) : 0;
      const newer = k >= 0 && k < len ? (x[k] as number) : 0;
      s[j] = older + newer;
      d[j] = older - newer;
    }
  }
  const pairs = factor / 2;
  for (let k = 1; k < pairs; k++) {
    let p = 0;
    let q = 0;
    const base = (k - 1) * half;
    for (let j = 0; j < half; j++) {
      p = f32(p + f32((sum[base + j] as number) * (s[j] as number)));
      q = f32(q + f32((diff[base + j] as number) * (d[j] as number)));
    }
    points[k] = p + q;
    points[factor - k] = p - q;
  }
  let middle = 0;
  const base = (pairs - 1) * half;
  for (let j = 0; j < half; j++) middle = f32(middle + f32((sum[base + j] as number) * (s[j] as number)));
  points[pairs] = middle;
  points[0] = n >= 0 && n < len ? (x[n] as number) : 0;
  points[factor] = n + 1 >= 0 && n + 1 < len ? (x[n + 1] as number) : 0;
}

/**
 * Windows are scanned in blocks: a block whose taps' largest |sample|, times the kernel's bound,
 * cannot beat the level sought is skipped whole, without a single product.
 */
const BLOCK = 64;

/**
 * Peaks of windows n ∈ [from, to); samples outside x read as 0. With `out`, each computed window's
 * peak is written into out[max(0, n)] where larger, and the level stays fixed: windows that cannot
 * beat it may be skipped, leaving their entries as they were. Without `out`, the level rises with
 * every peak found (a running maximum), and the final level is returned.
 */
function scan(
  kernel: Kernel,
  x: Float32Array,
  from: number,
  to: number,
  level: number,
  out: Float32Array | null,
): number {
  if (kernel.simd && simdEnabled) {
    // The windows whose taps (and the window before, for the parabola) lie inside x go to the
    // SIMD scan; the few at either edge stay here.
    const lo = Math.max(from, kernel.half);
    const hi = Math.min(to, x.length - kernel.half);
    if (hi - lo >= BLOCK) {
      const before = scanJs(kernel, x, from, lo, level, out);
      const inside = scanSimd(kernel, x, lo, hi, before, kernel.bound, out);
      return scanJs(kernel, x, hi, to, inside, out);
    }
  }
  return scanJs(kernel, x, from, to, level, out);
}

function scanJs(
  kernel: Kernel,
  x: Float32Array,
  from: number,
  to: number,
  level: number,
  out: Float32Array | null,
): number {
  const len = x.length;
  const { half, factor, bound } = kernel;
  const scratch = kernel.scratch;
  const points = scratch.points;
  const rising = out === null;
  for (let b = from; b < to; b += BLOCK) {
    const end = b + BLOCK < to ? b + BLOCK : to;
    // Window n reads x[n − H + 1 … n + H]; the refinement at its start also reads window n − 1.
    let local = 0;
    const lo = Math.max(0, b - half);
    const hi = Math.min(len, end + half);
    // Math.abs and Math.max compile without branches; sign tests on noise-like audio mispredict.
    for (let j = lo; j < hi; j++) local = Math.max(local, Math.abs(x[j] as number));
    if (local * bound <= level) continue;
    if (factor === 4 && b - half >= 0 && end + half <= len) {
      level = scan4(kernel, x, b, end, level, out);
      continue;
    }
    windowPoints(kernel, x, b - 1, scratch);
    let before = points[factor - 1] as number;
    for (let n = b; n < end; n++) {
      windowPoints(kernel, x, n, scratch);
      let at = 0;
      let largest = Math.abs(points[0] as number);
      for (let k = 1; k < factor; k++) {
        const m = Math.abs(points[k] as number);
        if (m > largest) {
          largest = m;
          at = k;
        }
      }
      // As scan4 (and the SIMD scan): the parabola adds at most a quarter of the largest point.
      if (!rising && f32(largest * 1.25) <= f32(level)) {
        before = points[factor - 1] as number;
        continue;
      }
      const m = refine(
        at === 0 ? before : (points[at - 1] as number),
        points[at] as number,
        points[at + 1] as number,
      );
      before = points[factor - 1] as number;
      if (rising) {
        if (m > level) level = m;
      } else if (m > f32(level)) {
        const o = n > 0 ? n : 0;
        (out as Float32Array)[o] = Math.max(m, (out as Float32Array)[o] as number);
      }
    }
  }
  return level;
}

/**
 * scan's windows [b, end) at 4×, all their taps inside x: the three phases in one pass over the
 * taps, no scratch arrays, the parabola only where the largest point could matter.
 */
function scan4(
  kernel: Kernel,
  x: Float32Array,
  b: number,
  end: number,
  level: number,
  out: Float32Array | null,
): number {
  const half = kernel.half;
  const sum = kernel.sum;
  const diff = kernel.diff;
  const mid = kernel.sum.subarray(half);
  const rising = out === null;
  // Window b − 1 is computed only for its last point, y(b − 1/4): the parabola at x[b] needs it.
  let before = 0;
  for (let n = b - 1; n < end; n++) {
    let p = 0;
    let q = 0;
    let m = 0;
    for (let j = 0; j < half; j++) {
      const older = x[n - j] as number;
      const newer = x[n + 1 + j] as number;
      const s = f32(older + newer);
      p = f32(p + f32((sum[j] as number) * s));
      q = f32(q + f32((diff[j] as number) * f32(older - newer)));
      m = f32(m + f32((mid[j] as number) * s));
    }
    const p0 = x[n] as number;
    const p1 = f32(p + q);
    const p3 = f32(p - q);
    const a0 = Math.abs(p0);
    const a1 = Math.abs(p1);
    const a2 = Math.abs(m);
    const a3 = Math.abs(p3);
    const largest = Math.max(a0, a1, a2, a3);
    const previous = before;
    before = p3;
    if (n < b) continue;
    // The parabola adds at most a quarter of the largest point: below the level, nothing to do.
    if (rising ? largest * 1.25 <= level : f32(largest * 1.25) <= f32(level)) continue;
    let peak: number;
    if (largest === a0) peak = refine(previous, p0, p1);
    else if (largest === a1) peak = refine(p0, p1, m);
    else if (largest === a2) peak = refine(p1, m, p3);
    else peak = refine(m, p3, x[n + 1] as number);
    if (rising) {
      if (peak > level) level = peak;
    } else if (peak > f32(level)) {
      const o = n > 0 ? n : 0;
      (out as Float32Array)[o] = Math.max(peak, (out as Float32Array)[o] as number);
    }
  }
  return level;
}

/**
 * out[n] ← the largest of out[n], |x[n]| and window n's peak where that exceeds `floor`, for n in
 * [from, to): one channel's share of the peaks taken across channels.
 */
function samplesAndPeaks(
  kernel: Kernel,
  x: Float32Array,
  from: number,
  to: number,
  floor: number,
  out: Float32Array,
): void {
  if (
    kernel.simd &&
    simdEnabled &&
    from >= kernel.half &&
    to <= x.length - kernel.half &&
    to - from >= BLOCK
  ) {
    scanSimd(kernel, x, from, to, floor, kernel.bound, out, true);
    return;
  }
  for (let t = from; t < to; t++) out[t] = Math.max(out[t] as number, Math.abs(x[t] as number));
  scan(kernel, x, from, to, floor, out);
}

/**
 * Streaming true-peak meter for one channel (only the maximum matters, so most windows are skipped).
 * A window is read once all its taps have arrived; the signal before the first sample is silence,
 * and value() reads the last windows as if it were silent after the last one too (they ring past
 * the end), so a stream reads what truePeakOf reads of the whole.
 */
export class TruePeakDetector {
  private readonly kernel: Kernel;
  private readonly taps: number;
  /** The last `taps` samples pushed (zeros before the start), then room for as many new ones. */
  private readonly seam: Float32Array;
  private peak = 0;
  constructor(sampleRate: number) {
    this.kernel = kernelFor(sampleRate);
    this.taps = 2 * this.kernel.half;
    this.seam = new Float32Array(2 * this.taps);
  }
  push(samples: Float32Array): void {
    const taps = this.taps;
    const half = this.kernel.half;
    const seam = this.seam;
    const length = samples.length;
    const head = Math.min(taps, length);
    seam.set(samples.subarray(0, head), taps);
    // The windows that straddle the previous pushes and this one, read from the seam...
    let peak = scan(this.kernel, seam.subarray(0, taps + head), half, half + head, this.peak, null);
    // ...and those wholly inside this push, where they lie, without a copy.
    if (length > head) peak = scan(this.kernel, samples, head - half, length - half, peak, null);
    this.peak = peak;
    if (length >= taps) seam.set(samples.subarray(length - taps));
    else seam.copyWithin(0, head, head + taps);
  }
  /** Linear peak so far. */
  value(): number {
    const taps = this.taps;
    const tail = new Float32Array(2 * taps);
    tail.set(this.seam.subarray(0, taps));
    return scan(this.kernel, tail, this.kernel.half, taps + this.kernel.half, this.peak, null);
  }
  reset(): void {
    this.seam.fill(0);
    this.peak = 0;
  }
}

/**
 * Raises each entry of `out` to the oversampled peak of `samples` near it: the larger of |x[i]| and
 * the interpolated signal's largest magnitude between x[i] and x[i + 1] (window −1, before the
 * first sample, counts for out[0]). Where that provably stays at or under `floor`, the entry may be
 * left as it was: callers pass a floor below which nothing they do depends on the value. Called
 * once per channel on the same `out`, it gives the largest of the channels.
 */
export function raiseToOversampledPeaks(
  out: Float32Array,
  samples: Float32Array,
  sampleRate: number,
  floor = 0,
  /** The largest |sample| of every `length` samples, when the caller has them: whole stretches are then skipped without reading the samples again. */
  chunkPeaks?: { length: number; peaks: Float32Array },
): void {
  const n = samples.length;
  if (out.length !== n) throw new RangeError('The peaks and the samples must be the same length.');
  const kernel = kernelFor(sampleRate);
  if (!chunkPeaks) {
    scan(kernel, samples, -1, n, floor, out);
    return;
  }
  const { length, peaks } = chunkPeaks;
  if (!(length >= 1) || peaks.length !== Math.ceil(n / length))
    throw new RangeError('The chunk peaks must cover the samples.');
  // The windows of chunk k read up to H samples either side of it.
  const reach = Math.ceil((kernel.half + 1) / length);
  const needed = (k: number) => {
    let m = 0;
    for (let j = Math.max(0, k - reach); j <= Math.min(peaks.length - 1, k + reach); j++)
      m = Math.max(m, peaks[j] as number);
    return m * kernel.bound > floor;
  };
  const chunks = peaks.length;
  for (let k = 0; k < chunks; k++) {
    if (!needed(k)) continue;
    let last = k;
    while (last + 1 < chunks && needed(last + 1)) last++;
    scan(kernel, samples, k === 0 ? -1 : k * length, Math.min(n, (last + 1) * length), floor, out);
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
 * True peak (linear) of whole channels, the ringing before the first and after the last sample
 * included; the channels share one running level, so the second is mostly skipped where it cannot
 * beat the first.
 *
 * With each channel's largest |sample| per `length` samples, the samples need not all be read: the
 * loudest chunk is interpolated first, which lifts the level close to the answer, and then only the
 * chunks whose samples could still beat it.
 */
export function truePeakOf(
  channels: readonly Float32Array[],
  sampleRate: number,
  chunkPeaks?: { length: number; peaks: readonly Float32Array[] },
): number {
  const kernel = kernelFor(sampleRate);
  const half = kernel.half;
  let level = 0;
  if (!chunkPeaks) {
    for (const channel of channels) level = scan(kernel, channel, -half, channel.length + half, level, null);
    return level;
  }
  const { length, peaks } = chunkPeaks;
  const covers = channels.every((ch, c) => peaks[c]?.length === Math.ceil(ch.length / length));
  if (!(length >= 1) || peaks.length !== channels.length || !covers)
    throw new RangeError('The chunk peaks must cover every channel.');
  const reach = Math.ceil((half + 1) / length);
  const near = (p: Float32Array, k: number) => {
    let m = 0;
    for (let j = Math.max(0, k - reach); j <= Math.min(p.length - 1, k + reach); j++)
      m = Math.max(m, p[j] as number);
    return m;
  };
  const scanChunk = (c: number, k: number) => {
    const x = channels[c] as Float32Array;
    const last = Math.ceil(x.length / length) - 1;
    const from = k === 0 ? -half : k * length;
    const to = k === last ? x.length + half : Math.min(x.length, (k + 1) * length);
    return scan(kernel, x, from, to, level, null);
  };
  let loudest = { c: -1, k: -1, peak: -1 };
  peaks.forEach((p, c) => {
    for (let k = 0; k < p.length; k++)
      if ((p[k] as number) > loudest.peak) loudest = { c, k, peak: p[k] as number };
  });
  if (loudest.c < 0 || loudest.peak === 0) return 0;
  level = scanChunk(loudest.c, loudest.k);
  peaks.forEach((p, c) => {
    for (let k = 0; k < p.length; k++) if (near(p, k) * kernel.bound > level) level = scanChunk(c, k);
  });
  return level;
}

/** How many samples either side of an interval its interpolated points read (half the taps). */
export function interpolatorReach(sampleRate: number): number {
  return interpolatorDesign(sampleRate).taps / 2;
}

/**
 * Oversampled peaks per chunk of `chunk` frames, the channels together, read as the audio streams
 * by: peak[k] is the largest, over the channels, of |x[j]| and the interpolated peak between x[j]
 * and x[j + 1], for j in chunk k; the ringing before the first sample counts for the first chunk,
 * and after the last for the last, so the largest of them all is truePeakOf the whole. Exact
 * wherever it exceeds `floor` (which the caller may raise or lower between pushes); elsewhere a
 * value no larger than the floor then in force. A window is read once all its taps have arrived:
 * the history kept is the interpolator's length, whatever the length of the audio.
 */
export class StreamChunkPeaks {
  floor = 0;
  private readonly kernel: Kernel;
  private readonly half: number;
  /** Per channel: the last 2H samples pushed (zeros before the start), then the block pushed. */
  private readonly work: Float32Array[];
  /** Per window of the block, the largest over the channels so far. */
  private readonly across: Float32Array;
  /** Frames pushed so far. */
  private position = 0;
  private current = 0;
  private currentChunk = 0;
  /** The first frame past the current chunk (none for the last). */
  private boundary: number;
  private readonly lastChunk: number;
  private finished = false;
  constructor(
    sampleRate: number,
    channelCount: number,
    private readonly chunk: number,
    /** Frames in the source: the last chunk is ceil(frames / chunk) − 1. */
    private readonly frames: number,
    private readonly maxBlock: number,
    private readonly emit: (k: number, peak: number) => void,
  ) {
    this.kernel = kernelFor(sampleRate);
    this.half = this.kernel.half;
    const size = 2 * this.half + Math.max(maxBlock, 2 * this.half);
    this.work = Array.from({ length: channelCount }, () => new Float32Array(size));
    this.across = new Float32Array(size);
    this.lastChunk = Math.max(0, Math.ceil(frames / chunk) - 1);
    this.boundary = this.lastChunk === 0 ? Number.POSITIVE_INFINITY : chunk;
  }

  /**
   * The next `count` frames (at most maxBlock) of every channel. `skip`: this block's windows are
   * read by another stream over the same audio (the master's two threads share the work); here its
   * samples are only kept as the next windows' history, and the chunks it closes are emitted with
   * the peaks of the other windows alone. The largest of the two streams' peaks for a chunk is then
   * the peak one stream would have read, to the bit.
   */
  push(block: readonly Float32Array[], count: number, skip = false): void {
    if (count > this.maxBlock) throw new RangeError('Block larger than announced.');
    if (skip) this.skipWindows(block, count);
    else this.windows(block, count);
    this.position += count;
  }

  /** As windows(), for windows another stream reads: their peaks count as 0 here. */
  private skipWindows(block: readonly Float32Array[], n: number): void {
    const two = 2 * this.half;
    for (let c = 0; c < this.work.length; c++) {
      const w = this.work[c] as Float32Array;
      w.set((block[c] as Float32Array).subarray(0, n), two);
      w.copyWithin(0, n, n + two);
    }
    // The windows are frames position − H … position − H + n − 1: each chunk boundary among them
    // closes a chunk, as windows() would (the peak after it stays 0, the largest of zeros).
    const last = this.position - this.half + n - 1;
    let peak = this.current;
    let k = this.currentChunk;
    let boundary = this.boundary;
    while (boundary <= last) {
      this.emit(k, peak);
      peak = 0;
      k++;
      boundary = k >= this.lastChunk ? Number.POSITIVE_INFINITY : (k + 1) * this.chunk;
    }
    this.boundary = boundary;
    this.current = peak;
    this.currentChunk = k;
  }

  /** After the last push: the windows that ring past the end, and the last chunk. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const zeros = new Float32Array(2 * this.half);
    this.windows(
      this.work.map(() => zeros),
      2 * this.half,
    );
    if (this.frames > 0) this.emit(this.currentChunk, this.current);
  }

  /** Windows s − H … s + n − 1 − H, s the first frame of this block: those whose taps have all come. */
  private windows(block: readonly Float32Array[], n: number): void {
    const h = this.half;
    const two = 2 * h;
    const across = this.across;
    const end = n + h;
    across.fill(0, h, end);
    for (let c = 0; c < this.work.length; c++) {
      const w = this.work[c] as Float32Array;
      w.set((block[c] as Float32Array).subarray(0, n), two);
      samplesAndPeaks(this.kernel, w.subarray(0, n + two), h, end, this.floor, across);
      w.copyWithin(0, n, n + two);
    }
    // Window t of the work array is frame m = s + t − 2H of the audio; frames before the start
    // count for chunk 0, those past the end for the last.
    let m = this.position - h;
    let peak = this.current;
    let k = this.currentChunk;
    let boundary = this.boundary;
    for (let t = h; t < end; ) {
      if (m >= boundary) {
        this.emit(k, peak);
        peak = 0;
        k++;
        boundary = k >= this.lastChunk ? Number.POSITIVE_INFINITY : (k + 1) * this.chunk;
      }
      // Up to the chunk's end (or the block's) without a test per frame.
      const stop = boundary - m < end - t ? t + (boundary - m) : end;
      m += stop - t;
      for (; t < stop; t++) peak = Math.max(peak, across[t] as number);
    }
    this.boundary = boundary;
    this.current = peak;
    this.currentChunk = k;
  }
}
