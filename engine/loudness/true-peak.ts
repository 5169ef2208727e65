import { besselI0 } from '../dsp/kaiser';
/**
 * True-peak detection by polyphase oversampling (BS.1770-4 Annex 2): 4× below 96 kHz, 2× up to
 * 192 kHz, 1× above. The interpolator is a Kaiser-windowed sinc of 12 taps per phase.
 */
const TAPS_PER_PHASE = 12;

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
 * The interpolator over a sliding window. History is kept twice over (at pos and pos + TAPS) so the
 * last TAPS samples are always contiguous; taps are stored reversed to read oldest → newest. `bound`
 * is the largest gain any phase can give: a window whose largest sample times `bound` cannot beat a
 * level is skipped without the 4 × 12 multiplications.
 */
class Interpolator {
  private readonly taps: Float64Array[];
  private readonly history = new Float64Array(2 * TAPS_PER_PHASE);
  private pos = 0;
  readonly bound: number;
  constructor(sampleRate: number) {
    const phases = designPhases(oversamplingFactor(sampleRate));
    this.taps = phases.length > 1 ? phases.map((p) => Float64Array.from(p).reverse()) : [];
    this.bound = Math.max(1, ...phases.map((p) => p.reduce((a, x) => a + Math.abs(x), 0)));
  }
  /** Adds a sample; returns the largest interpolated magnitude of the window, or 0 when it cannot exceed `skipBelow`. */
  push(x: number, skipBelow: number): number {
    const h = this.history;
    const pos = this.pos;
    h[pos] = x;
    h[pos + TAPS_PER_PHASE] = x;
    this.pos = pos + 1 === TAPS_PER_PHASE ? 0 : pos + 1;
    const start = pos + 1;
    let local = 0;
    for (let k = 0; k < TAPS_PER_PHASE; k++) {
      const a = Math.abs(h[start + k] as number);
      if (a > local) local = a;
    }
    if (local * this.bound <= skipBelow) return 0;
    let m = 0;
    for (const taps of this.taps) {
      let acc = 0;
      for (let k = 0; k < TAPS_PER_PHASE; k++) acc += (taps[k] as number) * (h[start + k] as number);
      const a = acc < 0 ? -acc : acc;
      if (a > m) m = a;
    }
    return m;
  }
  reset(): void {
    this.history.fill(0);
    this.pos = 0;
  }
}

/** Streaming true-peak meter for one channel (only the maximum matters, so most windows are skipped). */
export class TruePeakDetector {
  private readonly interpolator: Interpolator;
  private peak = 0;
  constructor(sampleRate: number) {
    this.interpolator = new Interpolator(sampleRate);
  }
  push(samples: Float32Array): void {
    let peak = this.peak;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i] as number;
      const ax = x < 0 ? -x : x;
      if (ax > peak) peak = ax;
      const m = this.interpolator.push(x, peak);
      if (m > peak) peak = m;
    }
    this.peak = peak;
  }
  /** Linear peak so far. */
  value(): number {
    return this.peak;
  }
  reset(): void {
    this.interpolator.reset();
    this.peak = 0;
  }
}

/**
 * Per-sample oversampled peak of one channel: entry i is the largest magnitude of the interpolated
 * signal near sample i (the interpolator's delay of half its length is taken out), never less than
 * |x[i]|. Where the interpolation provably stays under `floor`, entry i is just |x[i]|: the limiter
 * passes a floor below which nothing it does depends on the exact value.
 */
export function oversampledPeaks(samples: Float32Array, sampleRate: number, floor = 0): Float32Array {
  const interpolator = new Interpolator(sampleRate);
  const n = samples.length;
  const out = new Float32Array(n);
  const delay = TAPS_PER_PHASE / 2;
  for (let i = 0; i < n + delay; i++) {
    const m = interpolator.push(i < n ? (samples[i] as number) : 0, floor);
    const at = i - delay;
    if (at >= 0) {
      const x = Math.abs(samples[at] as number);
      out[at] = m > x ? m : x;
    }
  }
  return out;
}
