/**
 * True-peak detection by polyphase oversampling (BS.1770-4 Annex 2): 4× below 96 kHz, 2× up to
 * 192 kHz, 1× above. The interpolator is a Kaiser-windowed sinc of 12 taps per phase.
 */
const TAPS_PER_PHASE = 12;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

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

/** Streaming true-peak meter for one channel: keeps the last taps between blocks. */
export class TruePeakDetector {
  private readonly phases: Float64Array[];
  private readonly history = new Float64Array(TAPS_PER_PHASE);
  private pos = 0;
  private peak = 0;
  constructor(sampleRate: number) {
    this.phases = designPhases(oversamplingFactor(sampleRate));
  }
  push(samples: Float32Array): void {
    const h = this.history;
    const phases = this.phases;
    const factor = phases.length;
    let peak = this.peak;
    let pos = this.pos;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i] as number;
      h[pos] = x;
      pos = (pos + 1) % TAPS_PER_PHASE;
      const ax = x < 0 ? -x : x;
      if (ax > peak) peak = ax;
      if (factor === 1) continue;
      for (let p = 0; p < factor; p++) {
        const taps = phases[p] as Float64Array;
        let acc = 0;
        let idx = pos;
        for (let k = TAPS_PER_PHASE - 1; k >= 0; k--) {
          acc += (taps[k] as number) * (h[idx] as number);
          idx = idx + 1 === TAPS_PER_PHASE ? 0 : idx + 1;
        }
        const a = acc < 0 ? -acc : acc;
        if (a > peak) peak = a;
      }
    }
    this.pos = pos;
    this.peak = peak;
  }
  /** Linear peak so far. */
  value(): number {
    return this.peak;
  }
  reset(): void {
    this.history.fill(0);
    this.pos = 0;
    this.peak = 0;
  }
}

/**
 * Per-sample oversampled peak of one channel: entry i is the largest magnitude of the interpolated
 * signal near sample i (the interpolator's delay of half its length is taken out), never less than
 * |x[i]|. The limiter reads these to know what each sample needs.
 */
export function oversampledPeaks(samples: Float32Array, sampleRate: number): Float32Array {
  const phases = designPhases(oversamplingFactor(sampleRate));
  const n = samples.length;
  const out = new Float32Array(n);
  const history = new Float64Array(TAPS_PER_PHASE);
  const delay = TAPS_PER_PHASE / 2;
  let pos = 0;
  for (let i = 0; i < n + delay; i++) {
    history[pos] = i < n ? (samples[i] as number) : 0;
    pos = (pos + 1) % TAPS_PER_PHASE;
    let m = 0;
    if (phases.length > 1) {
      for (const taps of phases) {
        let acc = 0;
        let idx = pos;
        for (let k = TAPS_PER_PHASE - 1; k >= 0; k--) {
          acc += (taps[k] as number) * (history[idx] as number);
          idx = idx + 1 === TAPS_PER_PHASE ? 0 : idx + 1;
        }
        const a = acc < 0 ? -acc : acc;
        if (a > m) m = a;
      }
    }
    const at = i - delay;
    if (at >= 0) {
      const x = Math.abs(samples[at] as number);
      out[at] = m > x ? m : x;
    }
  }
  return out;
}
