import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIP, DEFAULT_MASTER, newTrack, type Track } from '../../contracts/project';
import { fadeGain } from '../dsp/fades';
import { dbToGain, panGains } from '../dsp/laws';
import { clipSpan } from './clip-span';
import { mixLength, renderMix } from './render';

const rate = 48000;
// A ramp: every sample differs, so a frame off anywhere shows.
const ramp = Float32Array.from({ length: rate }, (_, i) => (i + 1) / rate);
const clipTrack = (clip: Partial<Track['clip']>, patch: Partial<Track> = {}): Track => ({
  ...newTrack('t', 't', 't.wav'),
  clip: { ...DEFAULT_CLIP, ...clip },
  ...patch,
});
const render = (track: Track, blockSize?: number) =>
  renderMix(
    {
      tracks: [track],
      master: DEFAULT_MASTER,
      sampleRate: rate,
      sources: [{ trackId: 't', audio: { sampleRate: rate, channels: [ramp] } }],
    },
    { blockSize },
  );

describe('clips in the render', () => {
  it('plays the trimmed part at its place with its fades, to the sample, whatever the block size', () => {
    const track = clipTrack(
      {
        trimStartSec: 0.05,
        lengthSec: 0.2,
        fadeInSec: 0.02,
        fadeInCurve: 'linear',
        fadeOutSec: 0.05,
        fadeOutCurve: 'equalPower',
      },
      { startOffsetSec: 0.1, gainDb: -3 },
    );
    const span = clipSpan(track, rate, rate);
    expect(span).toMatchObject({ offset: 4800, trim: 2400, length: 9600 });
    const out = render(track);
    expect(out.channels[0]).toHaveLength(4800 + 9600);
    const gain = dbToGain(-3);
    const pan = panGains(0);
    for (let p = 0; p < 9600; p++) {
      // The render's own float32 steps: source × fade, then × fader × pan law (the fader sits after
      // the strip's EQ and compressor, where a pre-fader send is taken).
      const faded = Math.fround((ramp[2400 + p] as number) * fadeGain(span.fades, p));
      const expected = Math.fround(faded * (gain * pan.left));
      if (out.channels[0]?.[4800 + p] !== expected)
        throw new Error(`frame ${p}: ${out.channels[0]?.[4800 + p]} ≠ ${expected}`);
    }
    for (let i = 0; i < 4800; i++) expect(out.channels[0]?.[i]).toBe(0);
    expect(out.channels[0]?.[4800]).toBe(0);
    for (const blockSize of [128, 1000, 8192])
      expect(render(track, blockSize).channels).toEqual(out.channels);
  });

  it('a clip without trim and fades renders as version 1 did; the song ends where the clip does', () => {
    const whole = render(clipTrack({}));
    expect(whole.channels[0]).toHaveLength(rate);
    expect(whole.channels[0]?.[0]).toBe(Math.fround((ramp[0] as number) * panGains(0).left));
    const tracks = [clipTrack({ trimStartSec: 0.5 }, { startOffsetSec: 2 })];
    const sources = [{ trackId: 't', audio: { sampleRate: rate, channels: [ramp] } }];
    expect(mixLength(tracks, sources, rate)).toBe(2 * rate + rate / 2);
    // A length past the source's end stops at the source's end.
    expect(clipSpan(clipTrack({ trimStartSec: 0.9, lengthSec: 5 }), rate, rate).length).toBe(rate / 10);
  });
});
