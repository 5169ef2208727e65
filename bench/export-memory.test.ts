import { describe, expect, it } from 'vitest';
import { isSteady, peakOf, slopeOf } from './export-memory';

describe("the export memory benchmark's readings", () => {
  it('finds the highest reading, when it came, and the longest wait between readings', () => {
    const { peak, longestGap } = peakOf([
      { t: 1000, pss: 10 },
      { t: 1050, pss: 30 },
      { t: 1300, pss: 20 },
      { t: 1340, pss: 30 },
    ]);
    // The first of equal highs: when the peak was first reached.
    expect(peak).toEqual({ t: 1050, pss: 30 });
    expect(longestGap).toBe(250);
  });

  it('calls memory steady once the last readings lie within the tolerance, not before', () => {
    expect(isSteady([100, 101], 3, 2)).toBe(false);
    expect(isSteady([50, 100, 101, 102], 3, 2)).toBe(true);
    expect(isSteady([100, 101, 104], 3, 2)).toBe(false);
  });

  it('measures the climb from a quarter of the way through the export to its end', () => {
    // 2 MB a second from t = 1000 ms; the readings before 1250 ms (a jump) are left out.
    const samples = [
      { t: 1000, pss: 0 },
      { t: 1100, pss: 5e6 },
      ...[1300, 1500, 1700, 1900].map((t) => ({ t, pss: 1e7 + (t - 1300) * 2000 })),
      { t: 2100, pss: 0 },
    ];
    expect(slopeOf(samples, 1000, 2000)).toBeCloseTo(2e6, 6);
    expect(slopeOf(samples.slice(0, 4), 1000, 2000)).toBeNull();
  });
});
