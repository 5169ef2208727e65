import { describe, expect, it } from 'vitest';
import { MASTER_PRESETS } from '../../contracts/export';
import type { AudioData } from '../audio-data';
import { bytesSource } from '../io/pcm';
import { fileSource } from '../io/sources';
import { encodeWav } from '../io/wav';
import { measureLoudness } from '../loudness/meter';
import { drumLoop, noiseSong } from '../test-support/signals';
import { type MasterChoice, masterAudio, streamMaster } from './master';

/** The streaming master reading a 32-bit float WAV of `audio` (exact), written block by block. */
function streamed(audio: AudioData, settings: MasterChoice, withRewind: boolean) {
  const bytes = encodeWav(audio, { format: 'wav32f' });
  const frames = audio.channels[0]?.length ?? 0;
  const out = audio.channels.map(() => new Float32Array(frames));
  let at = 0;
  let opened = 0;
  let rewinds = 0;
  const report = streamMaster(
    () => {
      opened++;
      return fileSource(bytesSource(bytes));
    },
    settings,
    (block, count) => {
      expect(at + count).toBeLessThanOrEqual(frames);
      out.forEach((ch, c) => {
        ch.set((block[c] as Float32Array).subarray(0, count), at);
      });
      at += count;
    },
    withRewind
      ? {
          rewind: () => {
            rewinds++;
            at = 0;
          },
        }
      : {},
  );
  expect(at).toBe(frames);
  return { audio: { sampleRate: audio.sampleRate, channels: out }, report, opened, rewinds };
}

const scaled = (audio: AudioData, k: number): AudioData => ({
  sampleRate: audio.sampleRate,
  channels: audio.channels.map((c) => c.map((x) => x * k)),
});

const plain = (targetLufs: number, ceilingDbtp: number, maxLimitingDb = 20): MasterChoice => ({
  targetLufs,
  ceilingDbtp,
  glue: false,
  tilt: 'neutral',
  maxLimitingDb,
});

/** A band, roughly: drums over a sustained chord and a bass line, peaks well above the body. */
function band(rate: number): AudioData {
  const drums = drumLoop(6, rate, { gain: 0.12 });
  const channels = drums.channels.map((ch, c) =>
    ch.map((x, i) => {
      const t = i / rate;
      const chord = [220, 277.2, 329.6].reduce((a, f) => a + Math.sin(2 * Math.PI * f * t + c), 0) * 0.08;
      const bass = Math.sin(2 * Math.PI * 55 * t) * 0.2 * (0.6 + 0.4 * Math.sin(2 * Math.PI * 2 * t));
      return x + chord + bass;
    }),
  );
  return { sampleRate: rate, channels };
}

describe('the streaming master', () => {
  it.each([
    ['a noise song at 48 kHz (more than one block)', scaled(noiseSong(1.5, 48000, 5), 0.25), plain(-14, -1)],
    [
      'clipped drums near Nyquist at 44.1 kHz, loud',
      drumLoop(1.5, 44100, { clipAt: 0.3, gain: 1 }),
      plain(-9, -1),
    ],
    [
      'drums at 96 kHz with tilt and glue',
      drumLoop(2, 96000),
      { ...plain(-16, -1.5), glue: true, tilt: 'warmer' as const },
    ],
    ['a clip shorter than the lookahead', scaled(noiseSong(0.004, 48000, 2), 0.1), plain(-14, -1)],
  ])('gives the same samples and report as the master in memory: %s', (_, audio, settings) => {
    const memory = masterAudio(audio, settings);
    for (const withRewind of [true, false]) {
      const stream = streamed(audio, settings, withRewind);
      expect(stream.report).toEqual(memory.report);
      stream.audio.channels.forEach((ch, c) => {
        expect(ch).toEqual(memory.audio.channels[c]);
      });
      // Analysis, then one render (or more when it missed), plus the write when it cannot rewind.
      expect(stream.opened).toBeGreaterThanOrEqual(withRewind ? 2 : 3);
      if (!withRewind) expect(stream.rewinds).toBe(0);
    }
  });

  // Each preset on material that needs limiting at every rate the master keeps.
  const presets = Object.entries(MASTER_PRESETS);
  it.each([44100, 48000, 96000])(
    'lands each preset within ±0.5 LU and under its ceiling at %d Hz',
    (rate) => {
      const song = band(rate);
      for (const [name, p] of presets) {
        // Club loudness on drums takes more limiting than the default cap allows (which stops short
        // and says so, tested with the ceiling): allowed here, to see it land.
        const cap = name === 'club' ? 20 : undefined;
        const { audio, report } = masterAudio(song, {
          ...plain(p.targetLufs, p.ceilingDbtp),
          maxLimitingDb: cap,
        });
        expect(report.limitingCapped, name).toBe(false);
        const fresh = measureLoudness(audio);
        const integrated = fresh.integratedLufs as number;
        expect(Math.abs(integrated - p.targetLufs), name).toBeLessThanOrEqual(0.5);
        expect(fresh.truePeakDbtp as number, name).toBeLessThanOrEqual(p.ceilingDbtp);
        expect(report.after.integratedLufs as number).toBeCloseTo(integrated, 9);
      }
    },
  );

  it('refuses nothing and writes every frame of an empty file', () => {
    const empty = { sampleRate: 48000, channels: [new Float32Array(0), new Float32Array(0)] };
    const { report, audio } = streamed(empty, plain(-14, -1), true);
    expect(report.after.integratedLufs).toBeNull();
    expect(audio.channels[0]?.length).toBe(0);
  });
});
