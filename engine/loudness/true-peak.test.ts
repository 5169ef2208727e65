import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../dsp/random';
import { noiseSong } from '../test-support/signals';
import { referenceTruePeak } from '../test-support/true-peak-reference';
import {
  interpolatorPhases,
  oversampledPeaks,
  raiseToOversampledPeaks,
  StreamChunkPeaks,
  TruePeakDetector,
  truePeakOf,
} from './true-peak';

/**
 * The textbook interpolator: every point of every interval, unfolded, then the parabola through the
 * largest point of each interval and its neighbours. Peak of the interval [i, i + 1) goes to out[i].
 */
function referencePeaks(x: Float32Array, rate: number): Float64Array & { whole: number } {
  const phases = interpolatorPhases(rate);
  const factor = phases.length + 1;
  const taps = (phases[0] as Float64Array).length;
  const half = taps / 2;
  const n = x.length;
  const at = (i: number) => (i >= 0 && i < n ? (x[i] as number) : 0);
  // Every point in time order, from the interval before the first sample on.
  const points: number[] = [];
  const first = -half - 1;
  for (let w = first; w < n + half; w++) {
    points.push(at(w));
    for (const phase of phases) {
      let acc = 0;
      for (let t = 0; t < taps; t++) acc += (phase[t] as number) * at(w - half + 1 + t);
      points.push(acc);
    }
  }
  const out = Object.assign(Float64Array.from(x, Math.abs), { whole: 0 });
  for (let w = first + 1; w < n + half; w++) {
    const base = (w - first) * factor;
    let best = base;
    for (let k = base + 1; k < base + factor; k++)
      if (Math.abs(points[k] as number) > Math.abs(points[best] as number)) best = k;
    const s = Math.sign(points[best] as number) || 1;
    const a = (points[best - 1] as number) * s;
    const b = (points[best] as number) * s;
    const c = (points[best + 1] ?? 0) * s;
    const den = 2 * b - a - c;
    const peak = b >= a && b >= c && den > 0 ? b + (a - c) ** 2 / (8 * den) : b;
    out.whole = Math.max(out.whole, peak, Math.abs(points[best] as number));
    if (w < -1 || w >= n) continue;
    const o = Math.max(0, w);
    out[o] = Math.max(out[o] as number, peak);
  }
  return out;
}

const song = (rate: number, seconds = 1, seed = 4) =>
  noiseSong(seconds, rate, seed).channels[0] as Float32Array;

describe('oversampled peaks', () => {
  it.each([22050, 44100, 48000, 96000, 192000])('match the textbook interpolator at %i Hz', (rate) => {
    const x = song(rate);
    const ours = oversampledPeaks(x, rate);
    const ref = referencePeaks(x, rate);
    let worst = 0;
    for (let i = 0; i < x.length; i++)
      worst = Math.max(worst, Math.abs((ours[i] as number) - (ref[i] as number)) / (ref[i] as number));
    // Float32 storage is all that separates them.
    expect(worst).toBeLessThan(1e-6);
    expect(interpolatorPhases(rate).length + 1).toBe(rate < 40000 ? 8 : 4);
  });

  it('skip only what cannot reach the floor: exact above it, never under the sample itself', () => {
    const x = song(48000, 2);
    const exact = oversampledPeaks(x, 48000);
    const top = exact.reduce((m, v) => Math.max(m, v), 0);
    for (const floor of [0.2 * top, 0.5 * top, 0.95 * top]) {
      const skipped = oversampledPeaks(x, 48000, floor);
      let computedAbove = 0;
      let wrong = 0;
      for (let i = 0; i < x.length; i++) {
        if ((skipped[i] as number) < Math.abs(x[i] as number)) wrong++;
        if ((exact[i] as number) > floor) {
          if (skipped[i] !== exact[i]) wrong++;
          computedAbove++;
        } else if ((skipped[i] as number) > floor) wrong++;
      }
      expect(wrong).toBe(0);
      expect(computedAbove).toBeGreaterThan(0);
    }
  });

  it('raise the largest of several channels and refuse a length mismatch, changing nothing', () => {
    const [a, b] = noiseSong(1, 48000, 8).channels as [Float32Array, Float32Array];
    const out = new Float32Array(a.length);
    raiseToOversampledPeaks(out, a, 48000);
    raiseToOversampledPeaks(out, b, 48000);
    const pa = oversampledPeaks(a, 48000);
    const pb = oversampledPeaks(b, 48000);
    expect(out).toEqual(pa.map((v, i) => Math.max(v, pb[i] as number)));
    const before = out.slice();
    expect(() => raiseToOversampledPeaks(out, a.subarray(1), 48000)).toThrow(RangeError);
    expect(out).toEqual(before);
  });
});

describe("oversampled peaks with the caller's chunk peaks", () => {
  const chunkPeaksOf = (x: Float32Array, length: number) => {
    const peaks = new Float32Array(Math.ceil(x.length / length));
    x.forEach((v, i) => {
      const k = Math.floor(i / length);
      peaks[k] = Math.max(peaks[k] as number, Math.abs(v));
    });
    return { length, peaks };
  };

  it('give the same peaks above the floor, skipping the quiet stretches unread', () => {
    const x = song(48000, 2, 13);
    // Quiet stretches between loud ones, and a length that does not divide the chunks.
    for (let i = 0; i < x.length; i++) if (Math.floor(i / 5000) % 2) x[i] = (x[i] as number) * 0.1;
    const x2 = x.subarray(0, x.length - 37);
    const exact = oversampledPeaks(x2, 48000);
    for (const [floor, length] of [
      [0.3, 64],
      [0.05, 11],
      [0.6, 100],
    ] as const) {
      const out = new Float32Array(x2.length);
      raiseToOversampledPeaks(out, x2, 48000, floor, chunkPeaksOf(x2, length));
      let wrong = 0;
      for (let i = 0; i < x2.length; i++) {
        if ((exact[i] as number) > floor) {
          if (out[i] !== exact[i]) wrong++;
        } else if ((out[i] as number) > floor) wrong++;
      }
      expect(wrong).toBe(0);
    }
  });

  it('find the same true peak from the loudest chunks down, reading only what could beat it', () => {
    for (const rate of [22050, 44100, 48000, 96000]) {
      const [a, b] = noiseSong(2, rate, 16).channels as [Float32Array, Float32Array];
      const cut = b.subarray(0, b.length - 5);
      const left = a.subarray(0, cut.length);
      for (const length of [11, 64, 1000]) {
        const chunkPeaks = {
          length,
          peaks: [chunkPeaksOf(left, length).peaks, chunkPeaksOf(cut, length).peaks],
        };
        expect(truePeakOf([left, cut], rate, chunkPeaks)).toBe(truePeakOf([left, cut], rate));
      }
    }
    const silent = new Float32Array(100);
    expect(truePeakOf([silent], 48000, { length: 20, peaks: [chunkPeaksOf(silent, 20).peaks] })).toBe(0);
    const x = song(48000, 1, 17);
    expect(() => truePeakOf([x], 48000, { length: 64, peaks: [] })).toThrow(RangeError);
    expect(() => truePeakOf([x], 48000, { length: 8, peaks: [chunkPeaksOf(x, 9).peaks] })).toThrow(
      RangeError,
    );
  });

  it('refuse chunk peaks that do not cover the samples, changing nothing', () => {
    const x = song(48000, 1, 14);
    const out = new Float32Array(x.length);
    for (const bad of [
      { length: 10, peaks: chunkPeaksOf(x, 11).peaks },
      { length: 64, peaks: new Float32Array(3) },
    ]) {
      expect(() => raiseToOversampledPeaks(out, x, 48000, 0.1, bad)).toThrow(RangeError);
      expect(out.every((v) => v === 0)).toBe(true);
    }
  });
});

describe('chunk peaks read by two streams', () => {
  it('are, chunk by chunk, the larger of the two when each skips the blocks the other reads', () => {
    for (const [rate, channels, chunk, seed] of [
      [48000, 2, 60, 1],
      [44100, 1, 64, 2],
      [22050, 3, 7, 3],
    ] as const) {
      const audio = Array.from(
        { length: channels },
        (_, c) => noiseSong(2, rate, seed + c).channels[0] as Float32Array,
      );
      const frames = (audio[0] as Float32Array).length;
      // Blocks of every size (shorter than the interpolator too), and floors that change.
      const sizes = [16384, 1, 5, 3000, 16384, 37, 8000];
      const floors = [0, 0.4, 0.05, 0.8];
      const read = (skips: (i: number) => boolean) => {
        const peaks: number[] = [];
        const stream = new StreamChunkPeaks(rate, channels, chunk, frames, 16384, (k, p) => {
          expect(k).toBe(peaks.length);
          peaks.push(p);
        });
        for (let at = 0, i = 0; at < frames; i++) {
          const n = Math.min(sizes[i % sizes.length] as number, frames - at);
          stream.floor = floors[i % floors.length] as number;
          stream.push(
            audio.map((ch) => ch.subarray(at, at + n)),
            n,
            skips(i),
          );
          at += n;
        }
        stream.finish();
        return peaks;
      };
      const one = read(() => false);
      const rng = mulberry32(seed);
      const pattern = Array.from({ length: 200 }, () => rng() < 0.5);
      const a = read((i) => pattern[i] as boolean);
      const b = read((i) => !pattern[i]);
      expect(one.length).toBe(Math.ceil(frames / chunk));
      expect(a.length).toBe(one.length);
      expect(a.map((p, k) => Math.max(p, b[k] as number))).toEqual(one);
      // Each stream alone misses the other's windows.
      expect(a).not.toEqual(one);
      expect(b).not.toEqual(one);
    }
  });
});

describe('true peak', () => {
  it('reads the same fed in blocks of any size, whole, or from the per-sample peaks', () => {
    for (const rate of [22050, 44100, 48000, 96000]) {
      const x = song(rate, 1, 12);
      const expected = referencePeaks(x, rate).whole;
      for (const size of [1, 7, 4096, 10000, x.length]) {
        const detector = new TruePeakDetector(rate);
        for (let s = 0; s < x.length; s += size) detector.push(x.subarray(s, s + size));
        expect(Math.abs(detector.value() - expected) / expected).toBeLessThan(1e-6);
      }
      expect(Math.abs(truePeakOf([x], rate) - expected) / expected).toBeLessThan(1e-6);
    }
  });

  it('takes the loudest channel, and starts again from nothing after a reset', () => {
    const [a, b] = noiseSong(1, 48000, 2).channels as [Float32Array, Float32Array];
    const quiet = a.map((v) => v * 0.1);
    expect(truePeakOf([quiet, b], 48000)).toBe(truePeakOf([b], 48000));
    const detector = new TruePeakDetector(48000);
    detector.push(b);
    detector.reset();
    detector.push(quiet);
    expect(detector.value()).toBe(truePeakOf([quiet], 48000));
  });
});

describe('true peak against a 16× oversampled reference', () => {
  /** Sine bursts faded in and out (so their onsets add no content beyond the tone), random phase. */
  const burst = (rate: number, freq: number, phase: number) => {
    const n = Math.round(rate * 0.02);
    return Float32Array.from(
      { length: n },
      (_, i) =>
        0.5 *
        Math.sin((2 * Math.PI * freq * i) / rate + phase) *
        Math.min(1, 3 * Math.sin((Math.PI * i) / (n - 1))),
    );
  };

  it.each([22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000])(
    'reads within 0.1 dB across the audio band at %i Hz, streamed or whole',
    (rate) => {
      const rng = mulberry32(rate);
      let worst = 0;
      for (const freq of [997, 5000, 10000, 15000, 19000, 20000]) {
        if (freq > 0.45 * rate) continue;
        for (let k = 0; k < 3; k++) {
          const x = burst(rate, freq, rng() * 2 * Math.PI);
          const reference = referenceTruePeak(x);
          const whole = truePeakOf([x], rate);
          const detector = new TruePeakDetector(rate);
          for (let s = 0; s < x.length; s += 100) detector.push(x.subarray(s, s + 100));
          expect(detector.value()).toBeCloseTo(whole, 6);
          worst = Math.max(worst, Math.abs(20 * Math.log10(whole / reference)));
        }
      }
      expect(worst).toBeLessThan(0.1);
    },
  );
});
