import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegEbur128 } from '../../tests/support/ffmpeg';
import { encodeWav } from '../io/wav';
import { measureLoudness } from '../loudness/meter';
import { noiseSong } from '../test-support/signals';
import { masterAudio } from './master';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-master-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quietSong = () => {
  const song = noiseSong(20, 48000, 11);
  return { sampleRate: song.sampleRate, channels: song.channels.map((c) => c.map((x) => x * 0.25)) };
};

describe('the master gain search (predicted loudness, verified on the render)', () => {
  // At −12 and louder the limiter takes many dB: the search needs more room than it starts with.
  it.each([-14, -12, -11])(
    'lands within 0.05 LU of %d LUFS, as its own meter and a fresh one read it',
    (target) => {
      const { audio, report } = masterAudio(quietSong(), {
        targetLufs: target,
        ceilingDbtp: -1,
        glue: false,
        tilt: 'neutral',
        maxLimitingDb: 30,
      });
      expect(Math.abs((report.after.integratedLufs as number) - target)).toBeLessThanOrEqual(0.05);
      const fresh = measureLoudness(audio);
      expect(fresh.integratedLufs).toBeCloseTo(report.after.integratedLufs as number, 9);
      expect(fresh.truePeakDbtp).toBeCloseTo(report.after.truePeakDbtp as number, 9);
      expect(fresh.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    },
  );

  it('lands within 0.05 LU with tilt and glue shaping the sound first', () => {
    for (const tilt of ['warmer', 'brighter'] as const) {
      const { report } = masterAudio(quietSong(), {
        targetLufs: -12,
        ceilingDbtp: -1.5,
        glue: true,
        tilt,
        maxLimitingDb: 30,
      });
      expect(Math.abs((report.after.integratedLufs as number) + 12)).toBeLessThanOrEqual(0.05);
      expect(report.after.truePeakDbtp as number).toBeLessThanOrEqual(-1.5);
    }
  });

  it('lands at a rate whose 100 ms no chunk of 11 or more divides (1103 frames)', () => {
    const song = noiseSong(12, 11030, 15);
    const quiet = { sampleRate: 11030, channels: song.channels.map((c) => c.map((x) => x * 0.25)) };
    const { report } = masterAudio(quiet, { targetLufs: -14, ceilingDbtp: -1, glue: false, tilt: 'neutral' });
    expect(Math.abs((report.after.integratedLufs as number) + 14)).toBeLessThanOrEqual(0.05);
    expect(report.after.truePeakDbtp as number).toBeLessThanOrEqual(-1);
  });

  it('an unreachable target: as loud as the limiter allows, under the ceiling, with a sane gain', () => {
    const { audio, report } = masterAudio(quietSong(), {
      targetLufs: -5,
      ceilingDbtp: -1,
      glue: false,
      tilt: 'neutral',
      maxLimitingDb: 30,
    });
    const after = report.after.integratedLufs as number;
    expect(after).toBeLessThan(-8);
    expect(after).toBeGreaterThan(-11);
    // Past saturation more gain buys next to nothing: the search climbs to the cap and stops there.
    expect(report.limitingCapped).toBe(true);
    expect(report.after.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    expect(report.gainAppliedDb).toBeLessThan(30 + 24);
    const file = path.join(dir, 'unreachable.wav');
    writeFileSync(file, encodeWav(audio, { format: 'wav32f' }));
    expect(ffmpegEbur128(file).truePeak).toBeLessThanOrEqual(-1);
  });
});
