import { kPairSimd } from './true-peak-simd';
import type { Biquad } from '../dsp/biquad';
import { dbToGain } from '../dsp/laws';

/**
 * The two K-weighting stages of ITU-R BS.1770-4, derived for any sample rate from their analogue
 * prototypes (the published coefficients are for 48 kHz only): a high shelf (+4 dB above ~1.7 kHz,
 * the head's acoustic effect) and the RLB high-pass at ~38 Hz.
 */
export function kWeightingStages(sampleRate: number): [Biquad, Biquad] {
  let f0 = 1681.974450955533;
  const G = 3.999843853973347;
  let Q = 0.7071752369554196;
  let K = Math.tan((Math.PI * f0) / sampleRate);
  const Vh = dbToGain(G);
  const Vb = Vh ** 0.4996667741545416;
  let a0 = 1 + K / Q + K * K;
  const shelf: Biquad = {
    b0: (Vh + (Vb * K) / Q + K * K) / a0,
    b1: (2 * (K * K - Vh)) / a0,
    b2: (Vh - (Vb * K) / Q + K * K) / a0,
    a1: (2 * (K * K - 1)) / a0,
    a2: (1 - K / Q + K * K) / a0,
  };
  f0 = 38.13547087602444;
  Q = 0.5003270373238773;
  K = Math.tan((Math.PI * f0) / sampleRate);
  a0 = 1 + K / Q + K * K;
  const highPass: Biquad = { b0: 1, b1: -2, b2: 1, a1: (2 * (K * K - 1)) / a0, a2: (1 - K / Q + K * K) / a0 };
  return [shelf, highPass];
}

/** Channel weights of BS.1770: 1.0 for L, R, C; 1.41 for the surrounds; the LFE is left out. */
export function channelWeights(channelCount: number): number[] {
  if (channelCount === 6) return [1, 1, 1, 0, 1.41, 1.41];
  if (channelCount === 5) return [1, 1, 1, 1.41, 1.41];
  return Array.from({ length: channelCount }, () => 1);
}

/**
 * Both K-weighting stages of one channel with their state, run in one loop with the state and the
 * coefficients in locals (transposed direct form II, as BiquadState, so results are the same).
 */
export class KWeighting {
  private s1 = 0;
  private s2 = 0;
  private h1 = 0;
  private h2 = 0;
  /** Largest |sample| seen by energy() since construction, reset, or the caller zeroing it. */
  peak = 0;
  private readonly shelf: Biquad;
  private readonly highPass: Biquad;
  constructor(sampleRate: number) {
    [this.shelf, this.highPass] = kWeightingStages(sampleRate);
  }
  /**
   * Sum of squares of the weighted samples[from … to), carrying the state on. The samples' peak is
   * kept on the way (the loop waits on the filter's feedback anyway, so it costs next to nothing).
   */
  energy(samples: Float32Array, from: number, to: number): number {
    const { b0, b1, b2, a1, a2 } = this.shelf;
    const { b0: c0, b1: c1, b2: c2, a1: d1, a2: d2 } = this.highPass;
    let s1 = this.s1;
    let s2 = this.s2;
    let h1 = this.h1;
    let h2 = this.h2;
    let acc = 0;
    let peak = this.peak;
    for (let i = from; i < to; i++) {
      const x = samples[i] as number;
      peak = Math.max(peak, Math.abs(x));
      const u = b0 * x + s1;
      s1 = b1 * x - a1 * u + s2;
      s2 = b2 * x - a2 * u;
      const y = c0 * u + h1;
      h1 = c1 * u - d1 * y + h2;
      h2 = c2 * u - d2 * y;
      acc += y * y;
    }
    this.s1 = s1;
    this.s2 = s2;
    this.h1 = h1;
    this.h2 = h2;
    this.peak = peak;
    return acc;
  }
  /**
   * energy() of two channels at once (left with this filter, right with `other`), summed: the two
   * filters' feedback chains are independent, so the processor runs them side by side in one loop
   * (a stereo file K-weights in little more time than one channel). Each channel filters exactly as
   * energy() does; only the order of the final two-term sum differs.
   */
  energyPair(other: KWeighting, left: Float32Array, right: Float32Array, from: number, to: number): number {
    const { b0, b1, b2, a1, a2 } = this.shelf;
    const { b0: c0, b1: c1, b2: c2, a1: d1, a2: d2 } = this.highPass;
    let s1 = this.s1;
    let s2 = this.s2;
    let h1 = this.h1;
    let h2 = this.h2;
    let t1 = other.s1;
    let t2 = other.s2;
    let k1 = other.h1;
    let k2 = other.h2;
    let accL = 0;
    let accR = 0;
    let peakL = this.peak;
    let peakR = other.peak;
    for (let i = from; i < to; i++) {
      const x = left[i] as number;
      const z = right[i] as number;
      peakL = Math.max(peakL, Math.abs(x));
      peakR = Math.max(peakR, Math.abs(z));
      const u = b0 * x + s1;
      const v = b0 * z + t1;
      s1 = b1 * x - a1 * u + s2;
      t1 = b1 * z - a1 * v + t2;
      s2 = b2 * x - a2 * u;
      t2 = b2 * z - a2 * v;
      const y = c0 * u + h1;
      const w = c0 * v + k1;
      h1 = c1 * u - d1 * y + h2;
      k1 = c1 * v - d1 * w + k2;
      h2 = c2 * u - d2 * y;
      k2 = c2 * v - d2 * w;
      accL += y * y;
      accR += w * w;
    }
    this.s1 = s1;
    this.s2 = s2;
    this.h1 = h1;
    this.h2 = h2;
    other.s1 = t1;
    other.s2 = t2;
    other.h1 = k1;
    other.h2 = k2;
    this.peak = peakL;
    other.peak = peakR;
    return accL + accR;
  }
  /**
   * energyPair over frames [0, n) in segments, the first `first` frames long and then `step` each
   * (the last may be shorter), each segment's energy handed to `onEnergy` with its length, in order.
   * In WebAssembly SIMD where the host has it (the two channels in the lanes of one f64x2: the very
   * same numbers as energyPair's, in less than half the time); segments never straddle a copy.
   */
  energiesPair(
    other: KWeighting,
    left: Float32Array,
    right: Float32Array,
    n: number,
    first: number,
    step: number,
    onEnergy: (energy: number, frames: number) => void,
  ): void {
    const simd = kPairSimd();
    if (!simd || step > simd.max) {
      for (let i = 0, take = Math.min(first, n); i < n; i += take, take = Math.min(step, n - i))
        onEnergy(this.energyPair(other, left, right, i, i + take), take);
      return;
    }
    simd.load(this.filterState(), other.filterState());
    let pieceStart = 0;
    let pieceEnd = 0;
    for (let i = 0, take = Math.min(first, n); i < n; i += take, take = Math.min(step, n - i)) {
      if (i + take > pieceEnd) {
        pieceStart = i;
        pieceEnd = Math.min(n, i + simd.max);
        simd.copy(left.subarray(pieceStart, pieceEnd), right.subarray(pieceStart, pieceEnd));
      }
      onEnergy(simd.run(i - pieceStart, i - pieceStart + take), take);
    }
    const [l, r] = simd.save();
    this.setFilterState(l);
    other.setFilterState(r);
  }
  /** The coefficients (shelf b0 b1 b2 a1 a2, then high-pass) and the state (s1 s2 h1 h2 peak). */
  private filterState(): { coefficients: number[]; state: number[] } {
    const { b0, b1, b2, a1, a2 } = this.shelf;
    const hp = this.highPass;
    return {
      coefficients: [b0, b1, b2, a1, a2, hp.b0, hp.b1, hp.b2, hp.a1, hp.a2],
      state: [this.s1, this.s2, this.h1, this.h2, this.peak],
    };
  }
  private setFilterState(state: readonly number[]): void {
    [this.s1, this.s2, this.h1, this.h2, this.peak] = state as [number, number, number, number, number];
  }
  reset(): void {
    this.s1 = 0;
    this.s2 = 0;
    this.h1 = 0;
    this.h2 = 0;
    this.peak = 0;
  }
}
