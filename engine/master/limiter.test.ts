import { describe, expect, it } from 'vitest';
import { interpolatorReach, oversampledPeaks, truePeakOf } from '../loudness/true-peak';
import { noiseSong } from '../test-support/signals';
import { applyLimiter, LimiterGain, limitTruePeak, limiterTiming, lookaheadEnvelope } from './limiter';

/** Bursts of loud noise between stretches of quiet: peaks above a floor come and go. */
function bursts(seconds: number, gap: number) {
  const song = noiseSong(seconds, 48000, 21);
  for (const ch of song.channels)
    for (let i = 0; i < ch.length; i++) if (Math.floor(i / gap) % 3 !== 0) ch[i] = (ch[i] as number) * 0.2;
  return song;
}

describe('lookahead envelope', () => {
  it('is the largest oversampled peak of any channel over [i − H, i + lookahead + H] wherever that tops the floor', () => {
    const reach = interpolatorReach(48000);
    for (const [lookahead, floor, gap] of [
      [240, 0.5, 3000],
      [240, 0.3, 50_000],
      [5, 0.6, 700],
      [1, 0.4, 0],
    ] as const) {
      const audio = gap ? bursts(3, gap) : noiseSong(3, 48000, 5);
      const env = lookaheadEnvelope(audio, lookahead, floor);
      const peaks = audio.channels.map((c) => oversampledPeaks(c, 48000));
      const n = env.length;
      let hot = 0;
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        let m = 0;
        for (let j = Math.max(0, i - reach); j <= Math.min(n - 1, i + lookahead + reach); j++)
          for (const p of peaks) m = Math.max(m, p[j] as number);
        if (m > floor) {
          hot++;
          if (env[i] !== m) wrong++;
        } else if ((env[i] as number) > floor) wrong++;
      }
      expect(wrong).toBe(0);
      expect(hot).toBeGreaterThan(0);
      expect(hot).toBeLessThan(n);
    }
  });
});

describe('limiter gain', () => {
  it('is the same whatever blocks it is asked for in', () => {
    const audio = noiseSong(2, 48000, 6);
    const timing = limiterTiming(48000);
    const env = lookaheadEnvelope(audio, timing.lookahead, 0.2);
    const whole = new Float64Array(env.length);
    new LimiterGain(env, 0.3, timing).next(whole, env.length);
    const pieces = new Float64Array(env.length);
    const gain = new LimiterGain(env, 0.3, timing);
    const block = new Float64Array(1000);
    for (let s = 0, size = 1; s < env.length; s += size, size = (size * 7) % 997 || 1) {
      const count = Math.min(size, env.length - s);
      gain.next(block, count);
      pieces.set(block.subarray(0, count), s);
    }
    expect(pieces).toEqual(whole);
    expect(Math.min(...whole)).toBeLessThan(1);
    expect(Math.max(...whole)).toBeLessThanOrEqual(1);
  });

  it('limits audio × inputGain as it would the louder audio, under the ceiling', () => {
    const audio = noiseSong(3, 48000, 7);
    const louder = { sampleRate: 48000, channels: audio.channels.map((c) => c.map((x) => x * 4)) };
    const a = limitTruePeak(audio, -1, { inputGain: 4 });
    const b = limitTruePeak(louder, -1);
    let worst = 0;
    a.channels.forEach((ch, c) => {
      ch.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - ((b.channels[c] as Float32Array)[i] as number)));
      });
    });
    expect(worst).toBeLessThan(1e-6);
    expect(20 * Math.log10(truePeakOf(a.channels, 48000))).toBeLessThanOrEqual(-0.9);
    // A given envelope is used as is: the same one gives the same result.
    const timing = limiterTiming(48000);
    const env = lookaheadEnvelope(audio, timing.lookahead, 10 ** (-1 / 20) / 4);
    expect(limitTruePeak(audio, -1, { inputGain: 4, envelope: env }).channels).toEqual(a.channels);
  });

  it('hands every block it writes to the meter, in order, and keeps its chunk peaks', () => {
    const audio = noiseSong(1, 48000, 8);
    const timing = limiterTiming(48000);
    const env = lookaheadEnvelope(audio, timing.lookahead, 0.1);
    const into = audio.channels.map((c) => new Float32Array(c.length));
    const seen = audio.channels.map(() => [] as number[]);
    // 100 does not divide the 4096-frame blocks: chunks straddle them.
    const chunkPeaks = { length: 100, peaks: into.map((c) => new Float32Array(Math.ceil(c.length / 100))) };
    const meter = {
      push: (block: readonly Float32Array[]) => {
        block.forEach((b, c) => {
          seen[c]?.push(...b);
        });
      },
    };
    applyLimiter(audio, env, 0.5, 2, timing, into, { meter, chunkPeaks });
    expect(seen.map((s) => Float32Array.from(s))).toEqual(into);
    into.forEach((y, c) => {
      const expected = Array.from({ length: Math.ceil(y.length / 100) }, (_, k) =>
        y.subarray(k * 100, (k + 1) * 100).reduce((m, v) => Math.max(m, Math.abs(v)), 0),
      );
      expect(Array.from(chunkPeaks.peaks[c] as Float32Array)).toEqual(expected);
    });
  });
});
