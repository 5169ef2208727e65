import { describe, expect, it } from 'vitest';
import { BASE_FRAMES, buildPyramid, chooseLevel, columnPeaks, type PeakPyramid } from './peak-pyramid';

/** A deterministic noisy signal with a few lone spikes a coarse level must not lose. */
function signal(frames: number, seed: number): Float32Array {
  const out = new Float32Array(frames);
  let x = seed;
  for (let i = 0; i < frames; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = ((x / 2147483648) * 2 - 1) * 0.5 * Math.sin(i / 3000);
  }
  for (const at of [7, 1234, frames - 1]) if (at < frames) out[at] = at % 2 ? 0.99 : -0.97;
  return out;
}

/** The brute force: min and max over frames [from, to) of every channel (0 past a channel's end). */
function brute(channels: Float32Array[], from: number, to: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of channels) {
    for (let i = from; i < to; i++) {
      const v = i < c.length ? (c[i] as number) : 0;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return [lo, hi];
}

describe('peak pyramid', () => {
  const left = signal(100_003, 1);
  const right = signal(90_000, 2);
  const pyramid = buildPyramid([left, right]);

  it('halves down to one bucket for the whole file', () => {
    expect(pyramid.frames).toBe(100_003);
    expect(pyramid.levels[0]?.framesPerBucket).toBe(BASE_FRAMES);
    expect(pyramid.levels[0]?.min.length).toBe(Math.ceil(100_003 / BASE_FRAMES));
    for (let i = 1; i < pyramid.levels.length; i++) {
      const [prev, level] = [pyramid.levels[i - 1], pyramid.levels[i]];
      expect(level?.framesPerBucket).toBe(2 * (prev?.framesPerBucket as number));
      expect(level?.min.length).toBe(Math.ceil((prev?.min.length as number) / 2));
    }
    expect(pyramid.levels.at(-1)?.min.length).toBe(1);
    const whole = brute([left, right], 0, pyramid.frames);
    expect(pyramid.levels.at(-1)?.min[0]).toBeCloseTo(whole[0], 6);
    expect(pyramid.levels.at(-1)?.max[0]).toBeCloseTo(whole[1], 6);
  });

  it('holds at every level each bucket’s exact min and max (against a brute force)', () => {
    for (const level of pyramid.levels) {
      for (let b = 0; b < level.min.length; b++) {
        const from = b * level.framesPerBucket;
        const [lo, hi] = brute([left, right], from, Math.min(pyramid.frames, from + level.framesPerBucket));
        expect(level.min[b]).toBe(Math.fround(lo));
        expect(level.max[b]).toBe(Math.fround(hi));
      }
    }
  });

  it('chooses the coarsest level whose buckets fit in a pixel', () => {
    expect(chooseLevel(pyramid, 1)).toBe(0);
    expect(chooseLevel(pyramid, BASE_FRAMES)).toBe(0);
    expect(chooseLevel(pyramid, 2 * BASE_FRAMES - 1)).toBe(0);
    expect(chooseLevel(pyramid, 2 * BASE_FRAMES)).toBe(1);
    expect(chooseLevel(pyramid, 1000)).toBe(1);
    expect(chooseLevel(pyramid, 1024)).toBe(2);
    expect(chooseLevel(pyramid, 1e12)).toBe(pyramid.levels.length - 1);
    for (let fpp = 1; fpp < 1e6; fpp *= 1.7) {
      const level = pyramid.levels[chooseLevel(pyramid, fpp)];
      const next = pyramid.levels[chooseLevel(pyramid, fpp) + 1];
      if (fpp >= BASE_FRAMES) expect(level?.framesPerBucket).toBeLessThanOrEqual(fpp);
      if (next) expect(next.framesPerBucket).toBeGreaterThan(fpp);
    }
  });

  it('draws columns that hold each column’s true peaks, widened by at most the neighbouring buckets', () => {
    for (const [start, fpp, columns] of [
      [0, 100_003 / 700, 700],
      [12_345, 37.5, 300],
      [50_000, 3000, 40],
      [99_000, 10, 200],
    ] as const) {
      const { min, max, level } = columnPeaks(pyramid, start, fpp, columns);
      const size = (pyramid.levels[level] as PeakPyramid['levels'][number]).framesPerBucket;
      for (let x = 0; x < columns; x++) {
        const from = start + x * fpp;
        const to = from + fpp;
        if (from >= pyramid.frames) {
          expect([min[x], max[x]]).toEqual([0, 0]);
          continue;
        }
        // Every sample the column covers is within its bar…
        const exact = brute([left, right], Math.floor(from), Math.min(pyramid.frames, Math.ceil(to)));
        expect(min[x]).toBeLessThanOrEqual(Math.fround(exact[0]));
        expect(max[x]).toBeGreaterThanOrEqual(Math.fround(exact[1]));
        // …and the bar is exactly the samples of the buckets it overlaps.
        const a = Math.floor(from / size) * size;
        const b = Math.min(pyramid.frames, Math.max(a + size, Math.ceil(to / size) * size));
        const covered = brute([left, right], a, b);
        expect(min[x]).toBe(Math.fround(covered[0]));
        expect(max[x]).toBe(Math.fround(covered[1]));
      }
    }
  });

  it('reads the lone spikes at every zoom', () => {
    for (const fpp of [1, 64, 512, 4096, 100_003]) {
      const columns = Math.ceil(100_003 / fpp);
      const { min, max } = columnPeaks(pyramid, 0, fpp, columns);
      expect(Math.max(...max)).toBeCloseTo(0.99, 5);
      expect(Math.min(...min)).toBeCloseTo(-0.97, 5);
    }
  });

  it('handles empty and short sources, and refuses a bad bucket size', () => {
    const empty = buildPyramid([]);
    expect(empty.frames).toBe(0);
    expect(empty.levels).toHaveLength(1);
    expect(columnPeaks(empty, 0, 10, 3).max).toEqual(new Float32Array(3));
    const tiny = buildPyramid([new Float32Array([0.5, -0.25, 0.1])]);
    expect(tiny.levels).toHaveLength(1);
    expect([tiny.levels[0]?.min[0], tiny.levels[0]?.max[0]]).toEqual([-0.25, 0.5]);
    expect(() => buildPyramid([left], 0)).toThrow(/positive integer/);
    expect(() => buildPyramid([left], 1.5)).toThrow(/positive integer/);
  });

  it('reads a 16-bit source as value / 32768: the pyramid of its float twin', () => {
    const ints = [
      Int16Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 65536) - 32768),
      Int16Array.of(5, -7),
    ];
    const floats = ints.map((x) => Float32Array.from(x, (v) => v / 32768));
    expect(buildPyramid(ints, 64)).toEqual(buildPyramid(floats, 64));
    expect(buildPyramid(ints, 64).levels.at(-1)?.min[0]).toBe(-1);
  });
});
