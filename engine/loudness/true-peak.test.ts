import { describe, expect, it } from 'vitest';
import { noiseSong } from '../test-support/signals';
import {
  interpolatorPhases,
  oversampledPeaks,
  raiseToOversampledPeaks,
  TruePeakDetector,
  truePeakOf,
} from './true-peak';

/** The textbook polyphase interpolator, every phase of every window, no folding and no skipping. */
function referencePeaks(x: Float32Array, rate: number): Float64Array {
  const phases = interpolatorPhases(rate);
  const n = x.length;
  const out = Float64Array.from(x, Math.abs);
  for (let i = 0; i < n + 6; i++) {
    for (const phase of phases) {
      let acc = 0;
      for (let j = 0; j < 12; j++) {
        const k = i - j;
        if (k >= 0 && k < n) acc += (phase[j] as number) * (x[k] as number);
      }
      const at = i - 6;
      if (at >= 0 && at < n) out[at] = Math.max(out[at] as number, Math.abs(acc));
    }
  }
  return out;
}

const song = (rate: number, seconds = 1, seed = 4) =>
  noiseSong(seconds, rate, seed).channels[0] as Float32Array;

describe('oversampled peaks', () => {
  it.each([44100, 48000, 96000, 192000, 384000])('match the textbook interpolator at %i Hz', (rate) => {
    const x = song(rate);
    const ours = oversampledPeaks(x, rate);
    const ref = referencePeaks(x, rate);
    let worst = 0;
    for (let i = 0; i < x.length; i++)
      worst = Math.max(worst, Math.abs((ours[i] as number) - (ref[i] as number)) / (ref[i] as number));
    // Float32 storage is all that separates them.
    expect(worst).toBeLessThan(1e-6);
    expect(interpolatorPhases(rate).length).toBe(rate < 96000 ? 4 : rate <= 192000 ? 2 : 0);
  });

  it('skip only what cannot reach the floor: exact above it, never under the sample itself', () => {
    const x = song(48000, 2);
    const exact = oversampledPeaks(x, 48000);
    for (const floor of [0.2, 0.5, 0.9]) {
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
    for (const rate of [44100, 48000, 96000, 384000]) {
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
    expect(() => truePeakOf([x], 48000, { length: 8, peaks: [chunkPeaksOf(x, 8).peaks] })).toThrow(
      RangeError,
    );
  });

  it('refuse chunk peaks that are too short or do not cover the samples, changing nothing', () => {
    const x = song(48000, 1, 14);
    const out = new Float32Array(x.length);
    for (const bad of [chunkPeaksOf(x, 10), { length: 64, peaks: new Float32Array(3) }]) {
      expect(() => raiseToOversampledPeaks(out, x, 48000, 0.1, bad)).toThrow(RangeError);
      expect(out.every((v) => v === 0)).toBe(true);
    }
  });
});

describe('true peak', () => {
  it('reads the same fed in blocks of any size, whole, or from the per-sample peaks', () => {
    for (const rate of [44100, 48000, 96000, 384000]) {
      const x = song(rate, 1, 12);
      const expected = referencePeaks(x, rate).reduce((m, v) => Math.max(m, v), 0);
      for (const size of [1, 7, 4096, 10000, x.length]) {
        const detector = new TruePeakDetector(rate);
        for (let s = 0; s < x.length; s += size) detector.push(x.subarray(s, s + size));
        // The last windows, which would reach past the end, are not read by a stream.
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
