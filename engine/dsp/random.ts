/**
 * Small seedable PRNG (mulberry32): reproducible dither and test signals. The state lives in a
 * typed array: a 32-bit value held in a closure's variable or an object's field is a new heap
 * number at every step (beyond the small integers V8 stores inline), garbage per sample.
 */
export class Mulberry32 {
  private readonly state = new Uint32Array(1);
  constructor(seed: number) {
    this.state[0] = seed >>> 0;
  }
  next(): number {
    const a = ((this.state[0] as number) + 0x6d2b79f5) >>> 0;
    this.state[0] = a;
    return mix(a);
  }
  /** out[0 … n) ← next() − next() each: triangular (TPDF) noise of ±1, a block at a time. */
  differences(out: Float64Array, n: number): void {
    let a = this.state[0] as number;
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      const first = mix(a);
      a = (a + 0x6d2b79f5) >>> 0;
      out[i] = first - mix(a);
    }
    this.state[0] = a;
  }
}

function mix(a: number): number {
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function mulberry32(seed: number): () => number {
  const generator = new Mulberry32(seed);
  return () => generator.next();
}
