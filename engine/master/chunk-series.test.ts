import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../dsp/random';
import { memorySeries, Widener } from './chunk-series';

/** The envelope's rule written plainly: chunk k ← the largest of chunks k − before … k + after. */
function widenedPlainly(peaks: number[], before: number, after: number): number[] {
  return peaks.map((_, k) => {
    let m = 0;
    for (let j = Math.max(0, k - before); j <= Math.min(peaks.length - 1, k + after); j++)
      m = Math.max(m, peaks[j] as number);
    return m;
  });
}

describe('the master’s series per chunk', () => {
  it('widens a stream of peaks into the envelope, whatever the lengths', () => {
    const rng = mulberry32(3);
    for (const total of [0, 1, 2, 5, 17, 300])
      for (const [before, after] of [
        [0, 0],
        [1, 4],
        [2, 9],
        [1, 400],
      ] as const) {
        const peaks = Array.from({ length: total }, () => Math.fround(rng()));
        const out: number[] = [];
        const widener = new Widener(before, after, total, (v) => out.push(v));
        for (const p of peaks) widener.push(p);
        widener.finish();
        expect(out).toEqual(widenedPlainly(peaks, before, after));
      }
  });

  it('reads back in order, with several readers at once', () => {
    const series = memorySeries(5);
    for (const v of [1, 2, 3, 4, 5]) series.push(v);
    const a = series.read();
    const b = series.read();
    expect([a(), a(), b(), a(), b()]).toEqual([1, 2, 1, 3, 2]);
  });
});
