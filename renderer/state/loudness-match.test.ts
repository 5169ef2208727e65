import { describe, expect, it } from 'vitest';
import { gainOf, loudnessMatch } from './loudness-match';

describe('loudness-matched A/B', () => {
  it('turns the louder master down by the difference of the integrated loudnesses', () => {
    expect(loudnessMatch(-20.2, -14)).toEqual({ gainDb: { A: 0, B: -6.2 }, turnedDown: 'B', byDb: 6.2 });
    // Played at its gain, B lands on A's loudness.
    const b = loudnessMatch(-20.2, -14);
    expect(-14 + b.gainDb.B).toBeCloseTo(-20.2, 9);
  });

  it('turns the original down when the master is quieter (a broadcast master of a loud mix)', () => {
    expect(loudnessMatch(-9.5, -23)).toEqual({ gainDb: { A: -13.5, B: 0 }, turnedDown: 'A', byDb: 13.5 });
  });

  it('never raises a side: the louder one goes down, the quieter one stays', () => {
    for (const [a, b] of [
      [-30, -9],
      [-9, -30],
      [-14.04, -14.26],
    ] as const) {
      const m = loudnessMatch(a, b);
      expect(m.gainDb.A).toBeLessThanOrEqual(0);
      expect(m.gainDb.B).toBeLessThanOrEqual(0);
      expect(Math.abs(a + m.gainDb.A - (b + m.gainDb.B))).toBeLessThanOrEqual(0.05);
    }
  });

  it('leaves both alone when equal within a tenth, or when one cannot be measured (silence)', () => {
    const none = { gainDb: { A: 0, B: 0 }, turnedDown: null, byDb: 0 };
    expect(loudnessMatch(-14.02, -14)).toEqual(none);
    expect(loudnessMatch(null, -14)).toEqual(none);
    expect(loudnessMatch(-14, null)).toEqual(none);
    expect(loudnessMatch(Number.NEGATIVE_INFINITY, -14)).toEqual(none);
  });

  it('gain in dB to a linear factor', () => {
    expect(gainOf(0)).toBe(1);
    expect(gainOf(-6.0206)).toBeCloseTo(0.5, 4);
    expect(gainOf(-20)).toBeCloseTo(0.1, 12);
  });
});
