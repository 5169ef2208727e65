import { resampledLength, resampleRange } from '../../engine/dsp/resample';
import { gainOf } from '../state/loudness-match';

export type Side = 'A' | 'B';

/**
 * The master's two sides as the A/B reads them: the mix (A) and the master (B), at the project's
 * rate, the same length. When the page is cross-origin isolated these are the Worker's own shared
 * views, so the A/B plays the very memory Save encodes from (no AudioBuffer, no copy).
 */
export type ABSides = { sampleRate: number; A: readonly Float32Array[]; B: readonly Float32Array[] };

/** The side switch and a trim's change glide linearly over ~10 ms: instant to the ear, no click. */
export const GLIDE_SEC = 0.01;

/** A gain moving linearly to its target over a number of frames. */
class Glide {
  private step = 0;
  private left = 0;
  constructor(
    public value: number,
    private target = value,
  ) {}

  set(target: number, frames: number): void {
    this.target = target;
    this.left = Math.max(0, Math.round(frames));
    if (this.left === 0) this.value = target;
    else this.step = (target - this.value) / this.left;
  }

  next(): number {
    if (this.left > 0) {
      this.left--;
      // The last step lands on the target exactly (no drift from adding steps).
      this.value = this.left === 0 ? this.target : this.value + this.step;
    }
    return this.value;
  }

  /** Silent now and staying so: the side need not be read at all. */
  get silent(): boolean {
    return this.left === 0 && this.value === 0;
  }
}

/**
 * The A/B's sound, a block at a time (ab.worklet.ts runs it on the audio thread; pure, so it is
 * tested in Node): both sides from the same frame, each through its side gain (1 heard, 0 not) and
 * its trim (the loudness match, dB). At another output rate than the sides', each block is
 * resampled as it plays by the engine's own resampler (engine/dsp/resample.ts), straight from the
 * views: no resampled copy of the song is ever made.
 */
export class ABMix {
  /** The song's length at the output rate. */
  readonly frames: number;
  private position = 0;
  /** The sides' rate (the project's). */
  private readonly rate: number;
  private readonly sides: Record<Side, readonly Float32Array[]>;
  private readonly gains: Record<Side, Glide>;
  private readonly trims: Record<Side, Glide>;
  private readonly glideFrames: number;
  /** Per side and output channel: the block as read (or resampled) before the gains. */
  private scratch: Record<Side, Float32Array[]>;
  /** Per side: where the block just read starts in what read() answered. */
  private readonly base: Record<Side, number> = { A: 0, B: 0 };

  constructor(
    sides: ABSides,
    private readonly outRate: number,
    side: Side,
    trimsDb: Record<Side, number>,
  ) {
    const length = sides.A[0]?.length ?? 0;
    this.frames = outRate === sides.sampleRate ? length : resampledLength(length, sides.sampleRate, outRate);
    this.sides = { A: sides.A, B: sides.B };
    this.rate = sides.sampleRate;
    this.gains = { A: new Glide(side === 'A' ? 1 : 0), B: new Glide(side === 'B' ? 1 : 0) };
    this.trims = { A: new Glide(gainOf(trimsDb.A)), B: new Glide(gainOf(trimsDb.B)) };
    this.glideFrames = GLIDE_SEC * outRate;
    this.scratch = { A: [], B: [] };
  }

  get ended(): boolean {
    return this.position >= this.frames;
  }

  /** Where the A/B is, in frames at the output rate. */
  get frame(): number {
    return this.position;
  }

  seek(frame: number): void {
    this.position = Math.max(0, Math.min(this.frames, Math.round(frame)));
  }

  setSide(side: Side): void {
    this.gains.A.set(side === 'A' ? 1 : 0, this.glideFrames);
    this.gains.B.set(side === 'B' ? 1 : 0, this.glideFrames);
  }

  setTrims(trimsDb: Record<Side, number>): void {
    this.trims.A.set(gainOf(trimsDb.A), this.glideFrames);
    this.trims.B.set(gainOf(trimsDb.B), this.glideFrames);
  }

  /**
   * Writes the next frames into out[c][offset …], at most `count`: fewer at the song's end (the rest
   * of `out` is left as it was). Answers how many.
   */
  render(out: readonly Float32Array[], offset: number, count: number): number {
    const n = Math.max(0, Math.min(count, this.frames - this.position));
    if (n === 0) return 0;
    const a = this.gains.A.silent ? null : this.read('A', n);
    const b = this.gains.B.silent ? null : this.read('B', n);
    const { gains, trims } = this;
    const baseA = this.base.A;
    const baseB = this.base.B;
    for (let i = 0; i < n; i++) {
      // A trim glides on even while its side is not read (silent and still): it may be heard next.
      const ta = trims.A.next();
      const tb = trims.B.next();
      const ga = a ? gains.A.next() * ta : 0;
      const gb = b ? gains.B.next() * tb : 0;
      for (let c = 0; c < out.length; c++) {
        const va = a ? ((a[Math.min(c, a.length - 1)] as Float32Array)[baseA + i] as number) * ga : 0;
        const vb = b ? ((b[Math.min(c, b.length - 1)] as Float32Array)[baseB + i] as number) * gb : 0;
        (out[c] as Float32Array)[offset + i] = va + vb;
      }
    }
    this.position += n;
    return n;
  }

  /**
   * A side's next `n` frames, from `base[side]` on: the views themselves at the same rate, else
   * resampled into scratch. Nothing is allocated while playing (the audio thread must not collect).
   */
  private read(side: Side, n: number): readonly Float32Array[] {
    const channels = this.sides[side];
    const at = this.position;
    if (this.rate === this.outRate) {
      this.base[side] = at;
      return channels;
    }
    this.base[side] = 0;
    let scratch = this.scratch[side];
    if ((scratch[0]?.length ?? 0) < n) {
      scratch = channels.map(() => new Float32Array(Math.max(n, 128)));
      this.scratch[side] = scratch;
    }
    for (let c = 0; c < channels.length; c++)
      resampleRange(channels[c] as Float32Array, this.rate, this.outRate, at, n, scratch[c] as Float32Array);
    return scratch;
  }
}
