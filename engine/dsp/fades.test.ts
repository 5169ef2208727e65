import { describe, expect, it } from 'vitest';
import { applyFades, type ClipFades, curveGain, fadeGain } from './fades';

const fades = (patch: Partial<ClipFades> = {}): ClipFades => ({
  lengthFrames: 1000,
  inFrames: 100,
  outFrames: 200,
  inCurve: 'linear',
  outCurve: 'equalPower',
  ...patch,
});

describe('clip fades', () => {
  it('start from silence and end near it, on the chosen curve', () => {
    const f = fades();
    expect(fadeGain(f, 0)).toBe(0);
    expect(fadeGain(f, 50)).toBeCloseTo(0.5, 12);
    expect(fadeGain(f, 100)).toBe(1);
    expect(fadeGain(f, 500)).toBe(1);
    // Half-way through the equal-power fade out: −3 dB, not −6 dB.
    expect(fadeGain(f, 900)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(fadeGain(f, 999)).toBeCloseTo(Math.sin(Math.PI / 400), 12);
  });

  it('an equal-power crossfade keeps the power; a linear one keeps the amplitude', () => {
    for (const x of [0.1, 0.25, 0.5, 0.9]) {
      expect(curveGain('equalPower', x) ** 2 + curveGain('equalPower', 1 - x) ** 2).toBeCloseTo(1, 12);
      expect(curveGain('linear', x) + curveGain('linear', 1 - x)).toBeCloseTo(1, 12);
    }
  });

  it('overlapping fades on a short clip multiply', () => {
    const f = fades({ lengthFrames: 100, inFrames: 100, outFrames: 100, outCurve: 'linear' });
    expect(fadeGain(f, 50)).toBeCloseTo(0.25, 12);
  });

  it('applied block by block equals applied at once, to the sample', () => {
    const f = fades({ inCurve: 'equalPower', outCurve: 'linear' });
    const whole = [new Float32Array(1000).fill(0.5), new Float32Array(1000).fill(-0.25)];
    applyFades(whole, 0, 1000, 0, f);
    const blocks = [new Float32Array(1000).fill(0.5), new Float32Array(1000).fill(-0.25)];
    for (let at = 0; at < 1000; at += 128) applyFades(blocks, at, Math.min(128, 1000 - at), at, f);
    expect(blocks).toEqual(whole);
    expect(whole[0]?.[500]).toBe(0.5);
    expect(whole[1]?.[0]).toBeCloseTo(0, 12);
  });

  it('no fades leaves the samples as they were', () => {
    const data = [Float32Array.of(0.1, 0.2, 0.3)];
    applyFades(data, 0, 3, 0, fades({ inFrames: 0, outFrames: 0 }));
    expect(data[0]).toEqual(Float32Array.of(0.1, 0.2, 0.3));
  });
});
