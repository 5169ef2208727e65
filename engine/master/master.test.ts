import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../io/wav';
import { measureLoudness } from '../loudness/meter';
import { RenderCancelledError } from '../mix/render';
import { ffmpegEbur128 } from '../../tests/support/ffmpeg';
import { noiseSong } from '../test-support/signals';
import { limitTruePeak } from './limiter';
import { masterAudio } from './master';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-master-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quietSong = () => {
  const song = noiseSong(20, 48000, 11);
  return { sampleRate: song.sampleRate, channels: song.channels.map((c) => c.map((x) => x * 0.25)) };
};

describe('one-click master', () => {
  it.each([
    [-14, -1],
    [-10, -1],
    [-23, -2],
  ])('lands on %d LUFS (±0.5 LU) under %d dBTP, by the engine and by ffmpeg', (target, ceiling) => {
    const { audio, report } = masterAudio(quietSong(), {
      targetLufs: target,
      ceilingDbtp: ceiling,
      glue: false,
      tilt: 'neutral',
      maxLimitingDb: 30,
    });
    expect(Math.abs((report.after.integratedLufs as number) - target)).toBeLessThanOrEqual(0.5);
    expect(report.after.truePeakDbtp as number).toBeLessThanOrEqual(ceiling);
    expect(report.before.integratedLufs as number).toBeLessThan(-25);
    expect(report.gainAppliedDb).toBeGreaterThan(0);
    const file = path.join(dir, `master-${target}.wav`);
    writeFileSync(file, encodeWav(audio, { format: 'wav32f' }));
    const ref = ffmpegEbur128(file);
    expect(Math.abs(ref.integrated - target)).toBeLessThanOrEqual(0.5);
    expect(ref.truePeak).toBeLessThanOrEqual(ceiling);
  });

  it('glue and tilt change the sound and still land on target', () => {
    const plain = masterAudio(quietSong(), {
      targetLufs: -14,
      ceilingDbtp: -1,
      glue: false,
      tilt: 'neutral',
    });
    for (const tilt of ['warmer', 'brighter'] as const) {
      const shaped = masterAudio(quietSong(), { targetLufs: -14, ceilingDbtp: -1, glue: true, tilt });
      expect(Math.abs((shaped.report.after.integratedLufs as number) + 14)).toBeLessThanOrEqual(0.5);
      expect(shaped.report.after.truePeakDbtp as number).toBeLessThanOrEqual(-1);
      expect(shaped.audio.channels[0]?.[48000]).not.toBeCloseTo(
        plain.audio.channels[0]?.[48000] as number,
        4,
      );
    }
  });

  it('leaves silence alone and can be cancelled', () => {
    const silence = { sampleRate: 48000, channels: [new Float32Array(48000), new Float32Array(48000)] };
    const { report } = masterAudio(silence, {
      targetLufs: -14,
      ceilingDbtp: -1,
      glue: false,
      tilt: 'neutral',
    });
    expect(report.after.integratedLufs).toBeNull();
    expect(report.gainAppliedDb).toBe(0);
    expect(() =>
      masterAudio(
        quietSong(),
        { targetLufs: -14, ceilingDbtp: -1, glue: false, tilt: 'neutral' },
        { signal: { aborted: true } },
      ),
    ).toThrow(RenderCancelledError);
  });
});

describe('true-peak limiter', () => {
  it('keeps a hot signal under its ceiling and leaves a quiet one untouched', () => {
    const hot = noiseSong(5, 48000, 3);
    const boosted = { sampleRate: 48000, channels: hot.channels.map((c) => c.map((x) => x * 4)) };
    expect(measureLoudness(boosted).truePeakDbtp as number).toBeGreaterThan(3);
    const limited = limitTruePeak(boosted, -1);
    expect(measureLoudness(limited).truePeakDbtp as number).toBeLessThanOrEqual(-0.9);
    const quiet = { sampleRate: 48000, channels: hot.channels.map((c) => c.map((x) => x * 0.05)) };
    expect(limitTruePeak(quiet, -1).channels).toEqual(quiet.channels);
  });
});
