/** Normalised biquad coefficients (a0 = 1). */
export type Biquad = { b0: number; b1: number; b2: number; a1: number; a2: number };

/**
 * RBJ Audio EQ Cookbook filters with the same definitions as Web Audio's BiquadFilterNode: shelves
 * with slope S = 1 (Web Audio ignores Q for shelves), peaking with Q. The renderer's preview uses
 * BiquadFilterNodes with the same frequency, gain and Q, so what is heard is what is exported.
 */
export function biquadCoefficients(
  type: 'lowshelf' | 'peaking' | 'highshelf',
  freqHz: number,
  gainDb: number,
  q: number,
  sampleRate: number,
): Biquad {
  const A = 10 ** (gainDb / 40);
  const w0 = (2 * Math.PI * Math.min(freqHz, sampleRate * 0.499)) / sampleRate;
  const cos = Math.cos(w0);
  const sin = Math.sin(w0);
  let b0: number;
  let b1: number;
  let b2: number;
  let a0: number;
  let a1: number;
  let a2: number;
  if (type === 'peaking') {
    const alpha = sin / (2 * q);
    b0 = 1 + alpha * A;
    b1 = -2 * cos;
    b2 = 1 - alpha * A;
    a0 = 1 + alpha / A;
    a1 = -2 * cos;
    a2 = 1 - alpha / A;
  } else {
    // Shelf slope S = 1: alpha = sin/2 * sqrt((A + 1/A)(1/S - 1) + 2) = sin/2 * sqrt(2).
    const alpha = (sin / 2) * Math.SQRT2;
    const k = 2 * Math.sqrt(A) * alpha;
    if (type === 'lowshelf') {
      b0 = A * (A + 1 - (A - 1) * cos + k);
      b1 = 2 * A * (A - 1 - (A + 1) * cos);
      b2 = A * (A + 1 - (A - 1) * cos - k);
      a0 = A + 1 + (A - 1) * cos + k;
      a1 = -2 * (A - 1 + (A + 1) * cos);
      a2 = A + 1 + (A - 1) * cos - k;
    } else {
      b0 = A * (A + 1 + (A - 1) * cos + k);
      b1 = -2 * A * (A - 1 + (A + 1) * cos);
      b2 = A * (A + 1 + (A - 1) * cos - k);
      a0 = A + 1 - (A - 1) * cos + k;
      a1 = 2 * (A - 1 - (A + 1) * cos);
      a2 = A + 1 - (A - 1) * cos - k;
    }
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** Magnitude response |H(e^jw)| of a biquad at a frequency, for tests and EQ curves. */
export function biquadMagnitude(c: Biquad, freqHz: number, sampleRate: number): number {
  const w = (2 * Math.PI * freqHz) / sampleRate;
  const re = (x0: number, x1: number, x2: number) => x0 + x1 * Math.cos(w) + x2 * Math.cos(2 * w);
  const im = (x1: number, x2: number) => -(x1 * Math.sin(w) + x2 * Math.sin(2 * w));
  const num = Math.hypot(re(c.b0, c.b1, c.b2), im(c.b1, c.b2));
  const den = Math.hypot(re(1, c.a1, c.a2), im(c.a1, c.a2));
  return num / den;
}

/** Transposed direct form II state for one channel. */
export class BiquadState {
  private z1 = 0;
  private z2 = 0;
  constructor(private c: Biquad) {}
  setCoefficients(c: Biquad): void {
    this.c = c;
  }
  process(x: number): number {
    const { b0, b1, b2, a1, a2 } = this.c;
    const y = b0 * x + this.z1;
    this.z1 = b1 * x - a1 * y + this.z2;
    this.z2 = b2 * x - a2 * y;
    return y;
  }
  /** process() over buf[0 … n), in place, the state in locals for the length of the loop. */
  processBlock(buf: Float32Array, n: number): void {
    const { b0, b1, b2, a1, a2 } = this.c;
    let z1 = this.z1;
    let z2 = this.z2;
    for (let i = 0; i < n; i++) {
      const x = buf[i] as number;
      const y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      buf[i] = y;
    }
    this.z1 = z1;
    this.z2 = z2;
  }
  reset(): void {
    this.z1 = 0;
    this.z2 = 0;
  }
}
