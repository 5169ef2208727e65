import { describe, expect, it } from 'vitest';
import { BiquadState } from '../dsp/biquad';
import { noiseSong, sineSegments } from '../test-support/signals';
import { KWeighting, kWeightingStages } from './k-weighting';
import { kWeightedChunkEnergies, loudnessOfSubBlocks, measureLoudness, subBlockLength } from './meter';

describe('K-weighting in one loop', () => {
  it('gives what the two biquad stages give, sample for sample, across calls', () => {
    const x = noiseSong(1, 44100, 3).channels[0] as Float32Array;
    const [shelf, highPass] = kWeightingStages(44100);
    const a = new BiquadState(shelf);
    const b = new BiquadState(highPass);
    const squares = Array.from(x, (v) => b.process(a.process(v)) ** 2);
    const sum = (from: number, to: number) => squares.slice(from, to).reduce((acc, v) => acc + v, 0);
    const filter = new KWeighting(44100);
    // Same sums in the same order: the state carries from one call to the next exactly.
    expect([
      filter.energy(x, 0, 1000),
      filter.energy(x, 1000, 1001),
      filter.energy(x, 1001, x.length),
    ]).toEqual([sum(0, 1000), sum(1000, 1001), sum(1001, x.length)]);
    const expected = sum(0, x.length);
    filter.reset();
    expect(filter.energy(x, 0, x.length)).toBe(expected);
  });
});

describe('loudness from chunk energies', () => {
  it.each([
    ['a song at 48 kHz', noiseSong(12, 48000, 4), 64],
    ['a song at 44.1 kHz', noiseSong(12, 44100, 5), 63],
    [
      'EBU 3341 case 5',
      sineSegments([
        [-26, 20.1],
        [-20, 20.1],
        [-26, 20.1],
      ]),
      48,
    ],
  ] as const)('reads %s as the meter does', (_name, audio, chunk) => {
    const subLength = subBlockLength(audio.sampleRate);
    const energies = kWeightedChunkEnergies(audio, chunk);
    const per = subLength / chunk;
    expect(Number.isInteger(per)).toBe(true);
    const subs = new Float64Array(Math.floor(energies.length / per));
    energies.forEach((e, k) => {
      if (k < subs.length * per) subs[Math.floor(k / per)] += e;
    });
    const ours = loudnessOfSubBlocks(subs, subLength);
    const meter = measureLoudness(audio, { truePeak: false });
    expect(Math.abs(ours.integrated - (meter.integratedLufs as number))).toBeLessThan(1e-9);
    expect(Math.abs(ours.range - meter.loudnessRangeLu)).toBeLessThan(1e-9);
  });

  it("gives each channel's largest |sample| per chunk, the trailing partial chunk included", () => {
    const audio = noiseSong(1, 48000, 9);
    const cut = { sampleRate: 48000, channels: audio.channels.map((c) => c.subarray(0, 1000)) };
    const peaks: Float32Array[] = [];
    const energies = kWeightedChunkEnergies(cut, 64, peaks);
    expect(energies.length).toBe(15);
    expect(peaks.length).toBe(2);
    peaks.forEach((p, c) => {
      const x = cut.channels[c] as Float32Array;
      expect(p.length).toBe(16);
      p.forEach((v, k) => {
        expect(v).toBe(x.subarray(k * 64, (k + 1) * 64).reduce((m, s) => Math.max(m, Math.abs(s)), 0));
      });
    });
  });

  it('reads silence as −∞ and no range', () => {
    const silence = { sampleRate: 48000, channels: [new Float32Array(48000)] };
    const subs = Array.from({ length: 10 }, () => 0);
    expect(loudnessOfSubBlocks(subs, 4800)).toEqual({ integrated: Number.NEGATIVE_INFINITY, range: 0 });
    expect(kWeightedChunkEnergies(silence, 64).every((e) => e === 0)).toBe(true);
  });
});
