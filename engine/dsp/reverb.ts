/**
 * The shared reverb bus: Freeverb, Jezar at Dreampoint's public-domain Schroeder–Moorer reverberator
 * (2000; https://ccrma.stanford.edu/~jos/pasp/Freeverb.html describes it): eight parallel lowpass-
 * feedback combs into four series allpasses per side, the right side's delays 23 samples longer.
 * Chosen over a convolution because it costs a few operations a sample on any number of tracks, needs
 * no bundled impulse files, and its decay is set exactly.
 *
 * One change from the original: instead of one "room size" feedback for every comb, each comb's
 * feedback is derived from the decay time asked for, g = 10^(−3·d / (fs·T60)) (Schroeder's rule), so
 * every comb falls 60 dB in T60 seconds whatever its length; `size` scales the delay lengths (how
 * big the room sounds: echo density and colour), `damping` the lowpass in the loops (Freeverb's
 * damp, 0…1 scaled by 0.4) which shortens the highs' decay, `preDelayMs` a delay before it all.
 * Block-based and allocation-free once made, so the export and an AudioWorklet run it alike: each
 * comb and allpass runs over the whole block in turn (a sample's sum in the same order as sample by
 * sample, in doubles), with no per-sample call whose number result would be boxed.
 */
export type ReverbSettings = {
  /** 0 … 1: the room's size (delay lengths from 0.5× to 1.5× Freeverb's). */
  size: number;
  /** Seconds to fall 60 dB (at low frequencies, or everywhere without damping). */
  decaySec: number;
  /** 0 … 1: how much faster the highs die than the lows. */
  damping: number;
  preDelayMs: number;
};

export const DEFAULT_REVERB: ReverbSettings = { size: 0.5, decaySec: 1.8, damping: 0.4, preDelayMs: 20 };

// Freeverb's tunings, in samples at 44.1 kHz.
const COMBS = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASSES = [556, 441, 341, 225];
const STEREO_SPREAD = 23;
const FIXED_GAIN = 0.015;
const SCALE_WET = 3;
const SCALE_DAMP = 0.4;
const ALLPASS_FEEDBACK = 0.5;
const MAX_PRE_DELAY_MS = 250;

class Comb {
  private readonly buffer: Float32Array;
  private index = 0;
  private store = 0;
  feedback = 0;
  damp = 0;
  constructor(readonly length: number) {
    this.buffer = new Float32Array(length);
  }
  /** sum[i] += the comb's output for input[i], over [0, n). */
  run(input: Float64Array, sum: Float64Array, n: number): void {
    const buffer = this.buffer;
    const { damp, feedback, length } = this;
    let index = this.index;
    let store = this.store;
    for (let i = 0; i < n; i++) {
      const output = buffer[index] as number;
      store = output * (1 - damp) + store * damp;
      buffer[index] = (input[i] as number) + store * feedback;
      if (++index >= length) index = 0;
      sum[i] = (sum[i] as number) + output;
    }
    this.index = index;
    this.store = store;
  }
  clear(): void {
    this.buffer.fill(0);
    this.store = 0;
  }
}

class Allpass {
  private readonly buffer: Float32Array;
  private index = 0;
  constructor(readonly length: number) {
    this.buffer = new Float32Array(length);
  }
  /** The allpass over x[0, n), in place. */
  run(x: Float64Array, n: number): void {
    const buffer = this.buffer;
    const length = this.length;
    let index = this.index;
    for (let i = 0; i < n; i++) {
      const input = x[i] as number;
      const delayed = buffer[index] as number;
      buffer[index] = input + delayed * ALLPASS_FEEDBACK;
      if (++index >= length) index = 0;
      x[i] = delayed - input;
    }
    this.index = index;
  }
  clear(): void {
    this.buffer.fill(0);
  }
}

type Side = { combs: Comb[]; allpasses: Allpass[] };

export class Reverb {
  private readonly sides: [Side, Side];
  private readonly preDelay: Float32Array;
  private preIndex = 0;
  private preFrames = 0;
  private settings: ReverbSettings;
  /** A block's input (after the pre-delay) and one side's sum, grown to the largest block. */
  private input = new Float64Array(0);
  private sum = new Float64Array(0);

  constructor(
    private readonly sampleRate: number,
    settings: ReverbSettings = DEFAULT_REVERB,
  ) {
    const scale = (sampleRate / 44100) * (0.5 + clamp01(settings.size));
    const side = (spread: number): Side => ({
      combs: COMBS.map((d) => new Comb(Math.max(1, Math.round((d + spread) * scale)))),
      allpasses: ALLPASSES.map((d) => new Allpass(Math.max(1, Math.round((d + spread) * scale)))),
    });
    this.sides = [side(0), side(STEREO_SPREAD)];
    this.preDelay = new Float32Array(Math.ceil((MAX_PRE_DELAY_MS / 1000) * sampleRate) + 1);
    this.settings = settings;
    this.set(settings);
  }

  /**
   * Decay, damping and pre-delay move live; the size fixes the delay lengths, so a new size needs a
   * new Reverb (`sameSize` says whether this one will do).
   */
  set(settings: ReverbSettings): void {
    this.settings = settings;
    const t60 = Math.max(0.05, settings.decaySec);
    const damp = clamp01(settings.damping) * SCALE_DAMP;
    for (const side of this.sides)
      for (const comb of side.combs) {
        comb.feedback = 10 ** ((-3 * comb.length) / (this.sampleRate * t60));
        comb.damp = damp;
      }
    const ms = Math.min(MAX_PRE_DELAY_MS, Math.max(0, settings.preDelayMs));
    this.preFrames = Math.round((ms / 1000) * this.sampleRate);
  }

  sameSize(settings: ReverbSettings): boolean {
    return clamp01(settings.size) === clamp01(this.settings.size);
  }

  /** Reads `n` frames of the send (left, right) and writes the wet signal (overwriting). */
  process(
    inLeft: Float32Array,
    inRight: Float32Array,
    outLeft: Float32Array,
    outRight: Float32Array,
    n: number,
  ): void {
    if (this.input.length < n) {
      this.input = new Float64Array(n);
      this.sum = new Float64Array(n);
    }
    const input = this.input;
    const pre = this.preDelay;
    const size = pre.length;
    for (let i = 0; i < n; i++) {
      let x = ((inLeft[i] as number) + (inRight[i] as number)) * FIXED_GAIN;
      if (this.preFrames > 0) {
        pre[this.preIndex] = x;
        let read = this.preIndex - this.preFrames;
        if (read < 0) read += size;
        x = pre[read] as number;
        if (++this.preIndex >= size) this.preIndex = 0;
      }
      input[i] = x;
    }
    this.runSide(this.sides[0], n, outLeft);
    this.runSide(this.sides[1], n, outRight);
  }

  /** One side: its combs summed (in order), through its allpasses (in order), into out. */
  private runSide(side: Side, n: number, out: Float32Array): void {
    const sum = this.sum;
    sum.fill(0, 0, n);
    for (let k = 0; k < side.combs.length; k++) (side.combs[k] as Comb).run(this.input, sum, n);
    for (let k = 0; k < side.allpasses.length; k++) (side.allpasses[k] as Allpass).run(sum, n);
    for (let i = 0; i < n; i++) out[i] = (sum[i] as number) * SCALE_WET;
  }

  clear(): void {
    for (const side of this.sides) {
      for (const c of side.combs) c.clear();
      for (const a of side.allpasses) a.clear();
    }
    this.preDelay.fill(0);
  }
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0.5;
}
