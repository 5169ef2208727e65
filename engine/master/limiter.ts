import type { AudioData } from '../audio-data';
import { dbToGain } from '../dsp/laws';
import { interpolatorReach, raiseToOversampledPeaks } from '../loudness/true-peak';

/**
 * Lookahead true-peak limiter. For each sample it needs the gain that keeps the sample's
 * neighbourhood (its oversampled peak) under the ceiling; a running minimum over the lookahead
 * window, then a moving average over the same window, gives a smooth gain that has fully arrived by
 * the time each peak passes.
 *
 * The release adapts to the material: the gain recovers quickly (fast release) towards a slow
 * average of the gain reduction, not towards unity. An isolated peak is released in tens of
 * milliseconds; under sustained limiting (a loud master) the gain rests near its average instead
 * of bouncing back to unity between every beat, which is what pumping is.
 *
 * The minimum of the needed gains over a window is the ceiling over the maximum of the peaks, so the
 * peaks' running maximum (the envelope) is computed once and serves every input gain: a caller
 * searching for the gain that lands on a loudness target runs only the cheap gain recursion per try.
 */
export type LimiterTiming = {
  lookahead: number;
  releaseCoeff: number;
  /** The slow average of the gain: how fast it follows sustained limiting down, and lets go of it. */
  sustainAttackCoeff: number;
  sustainReleaseCoeff: number;
};

const coeff = (ms: number, sampleRate: number) => Math.exp(-1 / ((ms / 1000) * sampleRate));

export function limiterTiming(
  sampleRate: number,
  lookaheadMs = 5,
  releaseMs = 80,
  sustain: { attackMs: number; releaseMs: number } = { attackMs: 150, releaseMs: 1500 },
): LimiterTiming {
  return {
    lookahead: Math.max(1, Math.round((lookaheadMs / 1000) * sampleRate)),
    releaseCoeff: coeff(releaseMs, sampleRate),
    sustainAttackCoeff: coeff(sustain.attackMs, sampleRate),
    sustainReleaseCoeff: coeff(sustain.releaseMs, sampleRate),
  };
}

/**
 * env[i] = the largest oversampled peak, over the channels, of the intervals i − H … i + lookahead
 * + H, H being the interpolator's reach (half its taps): the gain at i is the average of the held
 * gains of the lookahead window before it, and the true peak of the output near an interval depends
 * on the gains of the H samples either side of it, so each of those must already hold for it.
 * Exact wherever it exceeds `floor`; below it, a value no larger than `floor`.
 */
export function lookaheadEnvelope(
  audio: AudioData,
  lookahead: number,
  floor: number,
  /** Each channel's largest |sample| per `length` samples, when the caller has them (see raiseToOversampledPeaks). */
  chunkPeaks?: { length: number; peaks: readonly Float32Array[] },
): Float32Array {
  const frames = audio.channels[0]?.length ?? 0;
  const env = new Float32Array(frames);
  audio.channels.forEach((channel, c) => {
    const peaks = chunkPeaks?.peaks[c];
    raiseToOversampledPeaks(
      env,
      channel,
      audio.sampleRate,
      floor,
      chunkPeaks && peaks ? { length: chunkPeaks.length, peaks } : undefined,
    );
  });
  const reach = interpolatorReach(audio.sampleRate);
  slidingMaxAbove(env, reach, lookahead + reach, floor);
  return env;
}

/**
 * x[i] ← max(x[i − before … i + after]) within bounds, in place, wherever that maximum exceeds
 * `floor`; elsewhere x[i] stays as it was (at or under the floor). Only the stretches within reach
 * of a value above the floor are worked on, each with a monotonic deque (values are kept in the deque,
 * so entries already overwritten are never read again). Stretches are merged when closer than twice
 * the reach, so one never reads what another has written.
 */
function slidingMaxAbove(x: Float32Array, before: number, after: number, floor: number): void {
  const n = x.length;
  const reach = before + after + 1;
  let size = 1;
  while (size < reach + 1) size *= 2;
  // A power-of-two ring, so wrapping is a mask.
  const mask = size - 1;
  const values = new Float64Array(size);
  const index = new Int32Array(size);
  let j = n - 1;
  while (j >= 0) {
    while (j >= 0 && (x[j] as number) <= floor) j--;
    if (j < 0) break;
    let lowestHot = j;
    for (let k = j - 1; k >= 0 && lowestHot - k <= 2 * reach; k--)
      if ((x[k] as number) > floor) lowestHot = k;
    const hi = Math.min(n - 1, j + before);
    const lo = Math.max(0, lowestHot - after);
    let head = 0;
    let tail = 0;
    let next = Math.min(n - 1, hi + after);
    // Walking down: at step i the deque covers [i − before, i + after].
    for (let i = hi; i >= lo; i--) {
      const lowest = i - before > 0 ? i - before : 0;
      for (; next >= lowest; next--) {
        const v = x[next] as number;
        // Entries not larger than v (later in time, so they leave the window first) go.
        while (tail !== head && (values[(tail - 1) & mask] as number) <= v) tail = (tail - 1) & mask;
        values[tail] = v;
        index[tail] = next;
        tail = (tail + 1) & mask;
      }
      while ((index[head] as number) > i + after) head = (head + 1) & mask;
      x[i] = values[head] as number;
    }
    j = lo - 1;
  }
}

/**
 * The limiter's gain, sample after sample: the needed gain (threshold over the envelope, at most 1),
 * its release, then the moving average over the lookahead window. `threshold` is the ceiling over
 * the input gain: the gain at i keeps env[i] × inputGain × gain under the ceiling.
 */
export class LimiterGain {
  private g = 1;
  /** The slow average of the held gain: where the fast release returns to. */
  private rest = 1;
  private pos = 0;
  private sum = 0;
  private ringPos = 0;
  private readonly ring: Float64Array;
  constructor(
    private readonly env: Float32Array,
    private readonly threshold: number,
    private readonly timing: LimiterTiming,
  ) {
    this.ring = new Float64Array(timing.lookahead);
  }
  /**
   * Writes the gains of the next `count` samples into out[0 … count), when given; returns the sum of
   * their squares (what a caller predicting loudness needs, without storing them).
   */
  next(out: Float64Array | null, count: number): number {
    const env = this.env;
    const k = this.threshold;
    const rc = this.timing.releaseCoeff;
    const sa = this.timing.sustainAttackCoeff;
    const sr = this.timing.sustainReleaseCoeff;
    const w = this.timing.lookahead;
    const ring = this.ring;
    let g = this.g;
    let rest = this.rest;
    let sum = this.sum;
    let r = this.ringPos;
    let i = this.pos;
    const end = Math.min(env.length, i + count);
    const inverseW = 1 / w;
    let squares = 0;
    for (let o = 0; i < end; i++, o++) {
      const m = env[i] as number;
      const target = m > k ? k / m : 1;
      // The rest level follows the needed gain slowly, down faster than up.
      rest = target + (target < rest ? sa : sr) * (rest - target);
      // Instant attack; exponential release towards the rest level (never above what is needed).
      const home = rest < target ? rest : target;
      g = Math.min(target, home + rc * (g - home));
      if (i === 0) {
        // Before a full window, the average is padded with the first held gain: the minimum over the
        // first window, which covers every sample until then.
        ring.fill(g);
        sum = g * w;
        rest = g;
      } else {
        sum += g - (ring[r] as number);
        ring[r] = g;
      }
      r = r + 1 === w ? 0 : r + 1;
      const gain = sum * inverseW;
      squares += gain * gain;
      if (out !== null) out[o] = gain;
    }
    this.g = g;
    this.rest = rest;
    this.sum = sum;
    this.ringPos = r;
    this.pos = i;
    return squares;
  }
}

const BLOCK = 4096;

/**
 * Writes audio × inputGain × the limiter's gain into `into` (same shape as `audio`), block by block;
 * each finished block is also handed to `meter`, while it is still in cache, when one is given, and
 * its largest |sample| per `chunkPeaks.length` frames raised into `chunkPeaks.peaks` (per channel).
 */
export function applyLimiter(
  audio: AudioData,
  envelope: Float32Array,
  ceiling: number,
  inputGain: number,
  timing: LimiterTiming,
  into: Float32Array[],
  measure: {
    meter?: { push(block: readonly Float32Array[]): void };
    chunkPeaks?: { length: number; peaks: Float32Array[] };
  } = {},
): void {
  const { meter, chunkPeaks } = measure;
  const frames = envelope.length;
  const gains = new LimiterGain(envelope, ceiling / inputGain, timing);
  const block = new Float64Array(BLOCK);
  for (let start = 0; start < frames; start += BLOCK) {
    const count = Math.min(BLOCK, frames - start);
    gains.next(block, count);
    for (let c = 0; c < audio.channels.length; c++) {
      const x = audio.channels[c] as Float32Array;
      const y = into[c] as Float32Array;
      for (let o = 0; o < count; o++)
        y[start + o] = (x[start + o] as number) * inputGain * (block[o] as number);
      const peaks = chunkPeaks?.peaks[c];
      if (chunkPeaks && peaks) {
        const length = chunkPeaks.length;
        for (let i = start, end = start + count; i < end; ) {
          const k = Math.floor(i / length);
          const stop = Math.min(end, (k + 1) * length);
          let m = peaks[k] as number;
          for (; i < stop; i++) m = Math.max(m, Math.abs(y[i] as number));
          peaks[k] = m;
        }
      }
    }
    meter?.push(into.map((y) => y.subarray(start, start + count)));
  }
}

/**
 * Limits audio × inputGain to the ceiling. The average at i covers the held gains of
 * i − lookahead + 1 … i; each of those already saw i's peak within its window, so the gain at i is
 * at most what i needs.
 */
export function limitTruePeak(
  audio: AudioData,
  ceilingDb: number,
  opts: {
    lookaheadMs?: number;
    releaseMs?: number;
    /** Gain to apply before limiting (the limiter then sees audio × inputGain). */
    inputGain?: number;
    /** lookaheadEnvelope(audio, …) for these timings, when the caller already has it (it does not depend on the gain). */
    envelope?: Float32Array;
  } = {},
): AudioData {
  const inputGain = opts.inputGain ?? 1;
  const ceiling = dbToGain(ceilingDb);
  const timing = limiterTiming(audio.sampleRate, opts.lookaheadMs, opts.releaseMs);
  const envelope = opts.envelope ?? lookaheadEnvelope(audio, timing.lookahead, ceiling / inputGain);
  const channels = audio.channels.map((ch) => new Float32Array(ch.length));
  applyLimiter(audio, envelope, ceiling, inputGain, timing, channels);
  return { sampleRate: audio.sampleRate, channels };
}

/**
 * The limiter's gain when its envelope is held per chunk (the largest of the chunk's envelope): the
 * same recursion as LimiterGain, run a stretch of constant envelope at a time. What a stretch needs
 * is one number, so the envelope of a whole song is a small array, kept from the analysis pass, and
 * the render needs no lookahead buffer: the lookahead is in the envelope. The gain search runs
 * the very recursion the render will run, so the gain it predicts is the gain applied.
 */
export class ChunkLimiterGain {
  private g = 1;
  private rest = 1;
  private sum = 0;
  private ringPos = 0;
  private started = false;
  private readonly ring: Float64Array;
  constructor(
    /** The ceiling over the input gain: the gain keeps envelope × inputGain × gain under the ceiling. */
    private readonly threshold: number,
    private readonly timing: LimiterTiming,
  ) {
    this.ring = new Float64Array(timing.lookahead);
  }
  /**
   * The next `count` samples, whose envelope is `peak`: their gains into out[at …] when given;
   * returns the sum of their squares.
   */
  run(peak: number, count: number, out: Float64Array | null, at: number): number {
    const k = this.threshold;
    const target = peak > k ? k / peak : 1;
    const rc = this.timing.releaseCoeff;
    // The rest level moves towards the target from one side for the whole stretch.
    let rest = this.rest;
    let g = this.g;
    let sum = this.sum;
    let r = this.ringPos;
    const w = this.timing.lookahead;
    const ring = this.ring;
    const inverseW = 1 / w;
    let squares = 0;
    let o = 0;
    if (!this.started && count > 0) {
      // As LimiterGain at its first sample: the window padded with the first held gain.
      this.started = true;
      g = target;
      rest = target;
      ring.fill(g);
      sum = g * w;
      r = w === 1 ? 0 : 1;
      const gain = sum * inverseW;
      squares += gain * gain;
      if (out !== null) out[at] = gain;
      o = 1;
    }
    const ra = target < rest ? this.timing.sustainAttackCoeff : this.timing.sustainReleaseCoeff;
    for (; o < count; o++) {
      rest = target + ra * (rest - target);
      const home = rest < target ? rest : target;
      const next = home + rc * (g - home);
      g = next < target ? next : target;
      sum += g - (ring[r] as number);
      ring[r] = g;
      r = r + 1 === w ? 0 : r + 1;
      const gain = sum * inverseW;
      squares += gain * gain;
      if (out !== null) out[at + o] = gain;
    }
    this.g = g;
    this.rest = rest;
    this.sum = sum;
    this.ringPos = r;
    return squares;
  }
}
