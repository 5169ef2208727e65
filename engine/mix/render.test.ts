import { describe, expect, it } from 'vitest';
import { DEFAULT_MASTER, newTrack, type Track } from '../../contracts/project';
import type { AudioData } from '../audio-data';
import { biquadCoefficients, biquadMagnitude } from '../dsp/biquad';
import { isAudible, panGains } from '../dsp/laws';
import { resample, resampleByKernel, resampledLength, resampleRange } from '../dsp/resample';
import { RenderCancelledError, renderMix } from './render';

const rate = 48000;
const dc = (value: number, frames = 4800): AudioData => ({
  sampleRate: rate,
  channels: [new Float32Array(frames).fill(value)],
});
const sine = (freq: number, seconds: number, sampleRate = rate): AudioData => ({
  sampleRate,
  channels: [
    Float32Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) =>
      Math.sin((2 * Math.PI * freq * i) / sampleRate),
    ),
  ],
});
const track = (id: string, patch: Partial<Track> = {}): Track => ({
  ...newTrack(id, id, `${id}.wav`),
  ...patch,
});
const rms = (x: Float32Array, from = 0, to = x.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i] as number) ** 2;
  return Math.sqrt(s / (to - from));
};

describe('pan law', () => {
  it('is constant power with −3 dB at centre and full sides at the extremes', () => {
    const centre = panGains(0);
    expect(20 * Math.log10(centre.left)).toBeCloseTo(-3.01, 2);
    expect(centre.left).toBeCloseTo(centre.right, 12);
    for (const p of [-1, -0.6, -0.2, 0.3, 0.8, 1]) {
      const g = panGains(p);
      expect(g.left ** 2 + g.right ** 2).toBeCloseTo(1, 12);
    }
    expect(panGains(-1)).toEqual({ left: 1, right: expect.closeTo(0, 12) });
    expect(panGains(1).right).toBeCloseTo(1, 12);
  });

  it('is what the render applies', () => {
    const mix = renderMix({
      tracks: [track('a', { pan: 0.5 })],
      master: DEFAULT_MASTER,
      sampleRate: rate,
      sources: [{ trackId: 'a', audio: dc(0.5) }],
    });
    const g = panGains(0.5);
    expect(mix.channels[0]?.[100]).toBeCloseTo(0.5 * g.left, 6);
    expect(mix.channels[1]?.[100]).toBeCloseTo(0.5 * g.right, 6);
  });
});

describe('solo and mute', () => {
  it('follows the truth table: mute wins, any solo silences the unsoloed', () => {
    const table: Array<[boolean, boolean, boolean, boolean]> = [
      // mute, solo, anySolo → audible
      [false, false, false, true],
      [true, false, false, false],
      [false, true, true, true],
      [true, true, true, false],
      [false, false, true, false],
      [true, false, true, false],
    ];
    for (const [mute, solo, anySolo, audible] of table)
      expect(isAudible({ mute, solo }, anySolo)).toBe(audible);
  });

  it('renders only the soloed track, and a muted solo does not silence the others', () => {
    const sources = [
      { trackId: 'a', audio: dc(0.1) },
      { trackId: 'b', audio: dc(0.2) },
    ];
    const centre = panGains(0).left;
    const soloB = renderMix({
      tracks: [track('a'), track('b', { solo: true })],
      master: DEFAULT_MASTER,
      sampleRate: rate,
      sources,
    });
    expect(soloB.channels[0]?.[10]).toBeCloseTo(0.2 * centre, 6);
    const mutedSolo = renderMix({
      tracks: [track('a'), track('b', { solo: true, mute: true })],
      master: DEFAULT_MASTER,
      sampleRate: rate,
      sources,
    });
    expect(mutedSolo.channels[0]?.[10]).toBeCloseTo(0.1 * centre, 6);
    const allMuted = renderMix({
      tracks: [track('a', { mute: true }), track('b', { mute: true })],
      master: DEFAULT_MASTER,
      sampleRate: rate,
      sources,
    });
    expect(allMuted.channels[0]?.length).toBe(4800);
    expect(allMuted.channels[0]?.every((x) => x === 0)).toBe(true);
  });
});

describe('gain, offset, EQ, master', () => {
  it('applies gain in dB, the start offset and the master gain', () => {
    const mix = renderMix({
      tracks: [track('a', { gainDb: -6, startOffsetSec: 0.5 })],
      master: { gainDb: 6 },
      sampleRate: rate,
      sources: [{ trackId: 'a', audio: dc(0.5) }],
    });
    expect(mix.channels[0]?.length).toBe(24000 + 4800);
    expect(mix.channels[0]?.[23999]).toBe(0);
    expect(mix.channels[0]?.[24000 + 10]).toBeCloseTo(0.5 * panGains(0).left, 3);
  });

  it('shapes a tone as the EQ curve says (the curve the preview uses)', () => {
    const eq = {
      low: { gainDb: 0, freqHz: 120 },
      mid: { gainDb: 9, freqHz: 2000, q: 1.4 },
      high: { gainDb: 0, freqHz: 8000 },
    };
    for (const freq of [500, 2000, 5000]) {
      const mix = renderMix({
        tracks: [track('a', { eq })],
        master: DEFAULT_MASTER,
        sampleRate: rate,
        sources: [{ trackId: 'a', audio: sine(freq, 0.5) }],
      });
      const expected =
        biquadMagnitude(biquadCoefficients('peaking', 2000, 9, 1.4, rate), freq, rate) *
        panGains(0).left *
        Math.SQRT1_2;
      expect(rms(mix.channels[0] as Float32Array, 4800)).toBeCloseTo(expected, 2);
    }
  });

  it('compresses what is above the threshold', () => {
    const compressor = { enabled: true, thresholdDb: -20, ratio: 4, attackMs: 1, releaseMs: 50, makeupDb: 0 };
    const mix = renderMix({
      tracks: [track('a', { compressor })],
      master: DEFAULT_MASTER,
      sampleRate: rate,
      sources: [{ trackId: 'a', audio: dc(0.5, 9600) }],
    });
    // 0.5 is −6 dBFS: 14 dB over, 4:1 → 3.5 dB over the threshold, i.e. −16.5 dBFS after the pan's −3 dB… before pan.
    const settled = (mix.channels[0]?.[9000] as number) / panGains(0).left;
    expect(20 * Math.log10(settled)).toBeCloseTo(-16.5, 1);
  });
});

describe('block rendering', () => {
  it('reports progress up to 1 and can be cancelled', () => {
    const fractions: number[] = [];
    renderMix(
      {
        tracks: [track('a')],
        master: DEFAULT_MASTER,
        sampleRate: rate,
        sources: [{ trackId: 'a', audio: dc(0.1, 48000) }],
      },
      { blockSize: 4800, onProgress: (f) => fractions.push(f) },
    );
    expect(fractions.length).toBe(10);
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);

    const signal = { aborted: false };
    expect(() =>
      renderMix(
        {
          tracks: [track('a')],
          master: DEFAULT_MASTER,
          sampleRate: rate,
          sources: [{ trackId: 'a', audio: dc(0.1, 48000) }],
        },
        {
          blockSize: 4800,
          signal,
          onProgress: (f) => {
            if (f >= 0.3) signal.aborted = true;
          },
        },
      ),
    ).toThrow(RenderCancelledError);
  });

  it('resamples a source at another rate to the project rate', () => {
    const mix = renderMix({
      tracks: [track('a')],
      master: DEFAULT_MASTER,
      sampleRate: rate,
      sources: [{ trackId: 'a', audio: sine(1000, 1, 44100) }],
    });
    expect(mix.channels[0]?.length).toBe(48000);
    expect(rms(mix.channels[0] as Float32Array, 2000, 46000)).toBeCloseTo(Math.SQRT1_2 * panGains(0).left, 2);
  });

  it('resamples block by block, to the very samples a whole-source resample gives', () => {
    // Stereo at 44.1 kHz with an offset, mono at 96 kHz: each block asks the resampler for its own
    // frames, and the sum must equal rendering sources resampled whole beforehand.
    const stereo = sine(440, 0.7, 44100);
    const wide = {
      sampleRate: 44100,
      channels: [stereo.channels[0] as Float32Array, sine(660, 0.7, 44100).channels[0] as Float32Array],
    };
    const mono = sine(3000, 0.5, 96000);
    const tracks = [
      { ...track('a'), startOffsetSec: 0.1, pan: -0.4 },
      { ...track('b'), gainDb: -3, pan: 0.5 },
    ];
    const streamed = renderMix(
      {
        tracks,
        master: DEFAULT_MASTER,
        sampleRate: rate,
        sources: [
          { trackId: 'a', audio: wide },
          { trackId: 'b', audio: mono },
        ],
      },
      { blockSize: 1000 },
    );
    const whole = renderMix(
      {
        tracks,
        master: DEFAULT_MASTER,
        sampleRate: rate,
        sources: [
          { trackId: 'a', audio: resample(wide, rate) },
          { trackId: 'b', audio: resample(mono, rate) },
        ],
      },
      { blockSize: 4096 },
    );
    expect(streamed.channels[0]?.length).toBe(whole.channels[0]?.length);
    expect(streamed.channels[0]).toEqual(whole.channels[0]);
    expect(streamed.channels[1]).toEqual(whole.channels[1]);
    expect(rms(streamed.channels[1] as Float32Array, 6000, 20000)).toBeGreaterThan(0.1);
  });
});

describe('resampler quality', () => {
  const toneLevel = (audio: AudioData, freq: number) => {
    // Single-bin DFT over the steady middle.
    const x = audio.channels[0] as Float32Array;
    const from = Math.floor(x.length * 0.2);
    const to = Math.floor(x.length * 0.8);
    let re = 0;
    let im = 0;
    for (let i = from; i < to; i++) {
      re += (x[i] as number) * Math.cos((2 * Math.PI * freq * i) / audio.sampleRate);
      im += (x[i] as number) * Math.sin((2 * Math.PI * freq * i) / audio.sampleRate);
    }
    return (2 * Math.hypot(re, im)) / (to - from);
  };

  it('passband ripple under 0.1 dB up to 18 kHz (44.1 → 48 kHz)', () => {
    let worst = 0;
    for (const f of [100, 1000, 5000, 10000, 15000, 18000]) {
      const level = toneLevel(resample(sine(f, 0.25, 44100), 48000), f);
      worst = Math.max(worst, Math.abs(20 * Math.log10(level)));
    }
    expect(worst).toBeLessThan(0.1);
  });

  it('phase tables give what the per-tap kernel gives, at the common rate pairs and at the edges', () => {
    for (const [from, to] of [
      [44100, 48000],
      [48000, 44100],
      [96000, 48000],
      [22050, 48000],
      [8000, 44100],
    ] as const) {
      const input = sine(997, 0.05, from).channels[0] as Float32Array;
      const n = resampledLength(input.length, from, to);
      const fast = new Float32Array(n);
      const reference = new Float32Array(n);
      resampleRange(input, from, to, 0, n, fast);
      resampleByKernel(input, from, to, 0, n, reference);
      let worst = 0;
      for (let i = 0; i < n; i++)
        worst = Math.max(worst, Math.abs((fast[i] as number) - (reference[i] as number)));
      expect(worst, `${from} → ${to}`).toBeLessThan(1e-5);
    }
  });

  it('resamples an odd rate pair (no small ratio) by the per-tap kernel', () => {
    const level = toneLevel(resample(sine(1000, 0.25, 44101), 48000), 1000);
    expect(Math.abs(20 * Math.log10(level))).toBeLessThan(0.1);
  });

  it('aliasing below −60 dB when going down (48 → 44.1 kHz, a 23 kHz tone)', () => {
    const down = resample(sine(23000, 0.25, 48000), 44100);
    // 23 kHz would fold to 44.1 − 23 = 21.1 kHz.
    const alias = toneLevel(down, 21100);
    expect(20 * Math.log10(alias)).toBeLessThan(-60);
  });
});
