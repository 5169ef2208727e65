import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegEbur128 } from '../../tests/support/ffmpeg';
import type { AudioData } from '../audio-data';
import { encodeWav } from '../io/wav';
import { gainToDb } from '../dsp/laws';
import { measureLoudness } from '../loudness/meter';
import { drumLoop } from '../test-support/signals';
import { referenceTruePeak } from '../test-support/true-peak-reference';
import { LimiterGain, limiterTiming, lookaheadEnvelope } from './limiter';
import { masterAudio } from './master';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-ceiling-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const master = (audio: AudioData, targetLufs: number, ceilingDbtp: number, maxLimitingDb?: number) =>
  masterAudio(audio, { targetLufs, ceilingDbtp, glue: false, tilt: 'neutral', maxLimitingDb });

/** The 16× reference's true peak of the loudest second (the whole would be slow to interpolate 16×). */
function referenceDbtp(audio: AudioData): number {
  const rate = audio.sampleRate;
  let loudest = 0;
  let at = 0;
  for (const ch of audio.channels)
    ch.forEach((v, i) => {
      if (Math.abs(v) > loudest) {
        loudest = Math.abs(v);
        at = i;
      }
    });
  const from = Math.max(0, at - rate / 2);
  return Math.max(...audio.channels.map((ch) => gainToDb(referenceTruePeak(ch.subarray(from, from + rate)))));
}

describe('the master and its ceiling', () => {
  // Hard clipping puts energy right up to Nyquist, where the true peak depends on how sharply the
  // interpolator cuts: the 256-tap reference reads such material up to 0.4 dB higher than the meter
  // (ffmpeg reads it lower); on band-limited material they agree to within the margin.
  it.each([
    ['a drum loop', drumLoop(2, 44100), 0],
    ['hard-clipped drums (energy up to Nyquist)', drumLoop(2, 44100, { clipAt: 0.3, gain: 1 }), 0.4],
  ])(
    'lands on the ceiling and never over it on %s, by its meter, a 16× reference and ffmpeg',
    (_, audio, slack) => {
      for (const [target, ceiling] of [
        [-10, -1],
        [-9, -2],
      ] as const) {
        const { audio: out, report } = master(audio, target, ceiling, 20);
        const peak = report.after.truePeakDbtp as number;
        expect(peak).toBeLessThanOrEqual(ceiling);
        expect(peak).toBeGreaterThan(ceiling - 0.06);
        expect(measureLoudness(out).truePeakDbtp).toBeCloseTo(peak, 9);
        expect(referenceDbtp(out)).toBeLessThanOrEqual(ceiling + slack);
        const file = path.join(dir, `drums${target}.wav`);
        writeFileSync(file, encodeWav(out, { format: 'wav32f' }));
        expect(ffmpegEbur128(file).truePeak).toBeLessThanOrEqual(ceiling);
        expect(out.sampleRate).toBe(44100);
      }
    },
  );

  it('limits a clip shorter than 400 ms (once passed through untouched)', () => {
    const rate = 48000;
    const n = Math.round(0.3 * rate);
    // A quiet tone with a click at 0 dBFS: the target needs gain, the click then needs limiting.
    const clip = Float32Array.from({ length: n }, (_, i) =>
      i === 5000 ? 0.99 : 0.05 * Math.sin((2 * Math.PI * 1000 * i) / rate),
    );
    const { report, audio } = master({ sampleRate: rate, channels: [clip, clip.slice()] }, -14, -1, 30);
    expect(Math.abs((report.after.integratedLufs as number) + 14)).toBeLessThanOrEqual(0.05);
    expect(report.after.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    expect(report.after.truePeakDbtp as number).toBeGreaterThan(-1.06);
    expect(audio.channels[0]).not.toBe(clip);
    // A clip shorter than the limiter's lookahead too.
    const tiny = clip.subarray(4950, 5050);
    const short = master({ sampleRate: rate, channels: [tiny] }, -14, -1, 30).report;
    expect(short.after.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    expect(short.after.truePeakDbtp as number).toBeGreaterThan(-1.06);
  });

  it('stops at the cap on limiting, says so, and reports the loudness it reached', () => {
    const drums = drumLoop(4, 44100);
    const capped = master(drums, -9, -1, 6).report;
    expect(capped.limitingCapped).toBe(true);
    expect(capped.limitingDb).toBeCloseTo(6, 1);
    expect(capped.after.integratedLufs as number).toBeLessThan(-9.5);
    expect(capped.after.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    const free = master(drums, -14, -1, 30).report;
    expect(free.limitingCapped).toBe(false);
    expect(Math.abs((free.after.integratedLufs as number) + 14)).toBeLessThanOrEqual(0.05);
  });

  it('keeps the input rate', () => {
    for (const rate of [22050, 88200, 192000]) {
      const { audio, report } = master(drumLoop(1, rate), -14, -1, 30);
      expect(audio.sampleRate).toBe(rate);
      expect(report.after.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    }
  });
});

/** Mean change of the gain (dB) from one 10 ms frame to the next: how much the limiter pumps. */
function flutter(gains: Float64Array, rate: number): number {
  const frame = Math.round(rate / 100);
  let total = 0;
  let previous = Number.NaN;
  let count = 0;
  for (let f = 0; f + frame <= gains.length; f += frame) {
    let sum = 0;
    for (let i = f; i < f + frame; i++) sum += gains[i] as number;
    const db = gainToDb(sum / frame);
    if (!Number.isNaN(previous)) {
      total += Math.abs(db - previous);
      count++;
    }
    previous = db;
  }
  return total / count;
}

describe('the adaptive release', () => {
  it('moves the gain far less than a fixed release under heavy limiting (no pumping at −9 LUFS)', () => {
    const drums = drumLoop(6, 44100);
    const gain = 10 ** (20 / 20);
    const ceiling = 10 ** (-1 / 20);
    const adaptive = limiterTiming(44100);
    const fixed = limiterTiming(44100, 5, 80, { attackMs: 0, releaseMs: 0 });
    const env = lookaheadEnvelope(drums, adaptive.lookahead, ceiling / gain);
    const trace = (timing: typeof adaptive) => {
      const g = new Float64Array(env.length);
      new LimiterGain(env, ceiling / gain, timing).next(g, env.length);
      return g;
    };
    const a = flutter(trace(adaptive), 44100);
    const f = flutter(trace(fixed), 44100);
    expect(a).toBeLessThan(f / 1.8);
  });
});
