import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { biquadCoefficients, biquadMagnitude } from '../dsp/biquad';
import { encodeWav } from '../io/wav';
import { ffmpegEbur128 } from '../../tests/support/ffmpeg';
import { noiseSong, sineSegments } from '../test-support/signals';
import { LoudnessMeter, measureLoudness } from './meter';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-loudness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EBU Tech 3341 (integrated loudness, ±0.1 LU)', () => {
  it.each([
    ['case 1: −23 dBFS, 20 s', [[-23, 20]], -23],
    ['case 2: −33 dBFS, 20 s', [[-33, 20]], -33],
    [
      'case 3: −36/−23/−36 dBFS, 10/60/10 s',
      [
        [-36, 10],
        [-23, 60],
        [-36, 10],
      ],
      -23,
    ],
    [
      'case 4: −72/−36/−23/−36/−72 dBFS, 10/10/60/10/10 s',
      [
        [-72, 10],
        [-36, 10],
        [-23, 60],
        [-36, 10],
        [-72, 10],
      ],
      -23,
    ],
    [
      'case 5: −26/−20/−26 dBFS, 20.1 s each',
      [
        [-26, 20.1],
        [-20, 20.1],
        [-26, 20.1],
      ],
      -23,
    ],
  ] as Array<[string, Array<[number, number]>, number]>)('%s', (_name, segments, expected) => {
    const report = measureLoudness(sineSegments(segments));
    expect(report.integratedLufs).not.toBeNull();
    expect(Math.abs((report.integratedLufs as number) - expected)).toBeLessThanOrEqual(0.1);
  });

  it('momentary and short-term of a steady −23 dBFS sine read −23 LUFS', () => {
    const meter = new LoudnessMeter(48000, 2);
    const audio = sineSegments([[-23, 5]]);
    meter.push(audio.channels);
    expect(Math.abs(meter.momentary() + 23)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(meter.shortTerm() + 23)).toBeLessThanOrEqual(0.1);
  });

  it('derives K-weighting for 44.1 kHz as well', () => {
    const report = measureLoudness(sineSegments([[-23, 20]], { rate: 44100 }));
    expect(Math.abs((report.integratedLufs as number) + 23)).toBeLessThanOrEqual(0.1);
  });
});

describe('EBU Tech 3342 (loudness range, ±1 LU)', () => {
  it.each([
    [
      'case 1: −20/−30 dBFS',
      [
        [-20, 20],
        [-30, 20],
      ],
      10,
    ],
    [
      'case 2: −20/−15 dBFS',
      [
        [-20, 20],
        [-15, 20],
      ],
      5,
    ],
    [
      'case 3: −40/−20 dBFS',
      [
        [-40, 20],
        [-20, 20],
      ],
      20,
    ],
    [
      'case 4: −50/−35/−20/−35/−50 dBFS',
      [
        [-50, 20],
        [-35, 20],
        [-20, 20],
        [-35, 20],
        [-50, 20],
      ],
      15,
    ],
  ] as Array<[string, Array<[number, number]>, number]>)('%s', (_name, segments, expected) => {
    const report = measureLoudness(sineSegments(segments));
    expect(Math.abs(report.loudnessRangeLu - expected)).toBeLessThanOrEqual(1);
  });
});

describe('true peak and silence', () => {
  it('finds the inter-sample peak of a sine sampled off its crest', () => {
    // fs/4 with a 45° phase: every sample sits at 0.707 of the crest, the true peak is the crest.
    const n = 48000;
    const x = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((Math.PI / 2) * i + Math.PI / 4));
    const report = measureLoudness({ sampleRate: 48000, channels: [x, x] });
    expect(report.samplePeakDbfs as number).toBeCloseTo(20 * Math.log10(0.5 * Math.SQRT1_2), 2);
    expect(Math.abs((report.truePeakDbtp as number) - 20 * Math.log10(0.5))).toBeLessThan(0.25);
  });
  it('reads silence as null, not a number', () => {
    const report = measureLoudness({ sampleRate: 48000, channels: [new Float32Array(48000)] });
    expect(report.integratedLufs).toBeNull();
    expect(report.truePeakDbtp).toBeNull();
    expect(report.loudnessRangeLu).toBe(0);
  });
});

describe('against ffmpeg ebur128 (the reference)', () => {
  it('agrees on a music-like signal: integrated ±0.2 LU, range ±1 LU, true peak ±0.3 dB', () => {
    const song = noiseSong(30);
    const file = path.join(dir, 'song.wav');
    writeFileSync(file, encodeWav(song, { format: 'wav32f' }));
    const ref = ffmpegEbur128(file);
    const ours = measureLoudness(song);
    expect(Math.abs((ours.integratedLufs as number) - ref.integrated)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(ours.loudnessRangeLu - ref.lra)).toBeLessThanOrEqual(1);
    expect(Math.abs((ours.truePeakDbtp as number) - ref.truePeak)).toBeLessThanOrEqual(0.3);
  });
});

describe('EQ biquads against their analytic responses', () => {
  const rate = 48000;
  it('shelves reach their gain at the far end and 0 dB at the other, half-gain at the corner', () => {
    const low = biquadCoefficients('lowshelf', 200, 6, 0.7, rate);
    expect(20 * Math.log10(biquadMagnitude(low, 10, rate))).toBeCloseTo(6, 1);
    expect(20 * Math.log10(biquadMagnitude(low, 20000, rate))).toBeCloseTo(0, 1);
    expect(20 * Math.log10(biquadMagnitude(low, 200, rate))).toBeCloseTo(3, 1);
    const high = biquadCoefficients('highshelf', 5000, -9, 0.7, rate);
    expect(20 * Math.log10(biquadMagnitude(high, 23900, rate))).toBeCloseTo(-9, 0);
    expect(20 * Math.log10(biquadMagnitude(high, 20, rate))).toBeCloseTo(0, 1);
  });
  it('peaking reaches its gain at its frequency and its bandwidth follows Q', () => {
    const peak = biquadCoefficients('peaking', 1000, 8, 2, rate);
    expect(20 * Math.log10(biquadMagnitude(peak, 1000, rate))).toBeCloseTo(8, 2);
    const wide = biquadCoefficients('peaking', 1000, 8, 0.5, rate);
    expect(biquadMagnitude(wide, 2000, rate)).toBeGreaterThan(biquadMagnitude(peak, 2000, rate));
    expect(
      20 * Math.log10(biquadMagnitude(biquadCoefficients('peaking', 1000, 0, 1, rate), 3000, rate)),
    ).toBeCloseTo(0, 6);
  });
});
