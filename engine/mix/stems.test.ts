import { describe, expect, it } from 'vitest';
import { newTrack, type Track } from '../../contracts/project';
import { sineSegments } from '../test-support/signals';
import { renderMix } from './render';
import { stemFileName, stemIds, stemTracks } from './stems';

describe('stems', () => {
  const a = { ...newTrack('a', 'Drums', 'a.wav'), gainDb: -3, pan: -0.4, startOffsetSec: 0.25 };
  const b = {
    ...newTrack('b', 'Bass: low/end', 'b.wav'),
    mute: true,
    eq: { ...newTrack('b', '', '').eq, low: { gainDb: 6, freqHz: 100 } },
  };
  const c = { ...newTrack('c', 'Voice', 'c.wav'), solo: true, pan: 0.5 };
  const tracks = [a, b, c];

  it('hears only the asked track, whatever the desk mutes or solos, and keeps the others for the length', () => {
    expect(stemTracks(tracks, 'b').map((t) => [t.id, t.mute, t.solo])).toEqual([
      ['a', true, false],
      ['b', false, false],
      ['c', true, false],
    ]);
    expect(() => stemTracks(tracks, 'zz')).toThrow(/No track zz/);
  });

  it.each([
    ['without sends', undefined],
    [
      'with sends pre and post fader into the reverb bus',
      { returnDb: -2, size: 0.6, decaySec: 1.2, damping: 0.3, preDelayMs: 15 },
    ],
  ] as const)(
    'sums to the mix within −90 dBFS for linear strips, each as long as the mix, %s',
    (_, reverb) => {
      const rate = 48000;
      const sources = [
        { trackId: 'a', audio: sineSegments([[-12, 1]], { channels: 2, freq: 220 }) },
        { trackId: 'b', audio: sineSegments([[-10, 2]], { channels: 1, freq: 80 }) },
        { trackId: 'c', audio: sineSegments([[-15, 1.5]], { channels: 1, freq: 660 }) },
      ];
      // Each stem carries its own share of the reverb's return: the bus is linear, so they still sum.
      const sends = [
        { enabled: true, levelDb: -6, preFader: false },
        { enabled: true, levelDb: -3, preFader: true },
        { enabled: false, levelDb: 0, preFader: false },
      ];
      const heard = tracks.map((t, i) => ({
        ...t,
        mute: false,
        solo: false,
        send: reverb ? (sends[i] as Track['send']) : t.send,
      }));
      const master = { gainDb: -2 };
      const mix = renderMix({ tracks: heard, master, sampleRate: rate, sources, reverb });
      if (reverb) {
        const dry = renderMix({ tracks: heard, master, sampleRate: rate, sources });
        expect(dry.channels[0]).not.toEqual(mix.channels[0]);
      }
      const sum = [
        new Float64Array(mix.channels[0]?.length ?? 0),
        new Float64Array(mix.channels[0]?.length ?? 0),
      ];
      for (const id of stemIds(heard, [])) {
        const stem = renderMix({ tracks: stemTracks(heard, id), master, sampleRate: rate, sources, reverb });
        expect(stem.channels[0]?.length).toBe(mix.channels[0]?.length);
        for (let ch = 0; ch < 2; ch++)
          for (let i = 0; i < (sum[ch]?.length ?? 0); i++)
            (sum[ch] as Float64Array)[i] =
              ((sum[ch] as Float64Array)[i] as number) + ((stem.channels[ch] as Float32Array)[i] as number);
      }
      let worst = 0;
      for (let ch = 0; ch < 2; ch++)
        for (let i = 0; i < (sum[ch]?.length ?? 0); i++)
          worst = Math.max(
            worst,
            Math.abs(
              ((sum[ch] as Float64Array)[i] as number) - ((mix.channels[ch] as Float32Array)[i] as number),
            ),
          );
      expect(20 * Math.log10(worst)).toBeLessThan(-90);
    },
  );

  it('names stem files by position and name, safely, and picks the asked tracks in desk order', () => {
    expect(stemFileName(tracks, 'b')).toBe('02 Bass_ low_end');
    expect(stemFileName([{ ...a, name: '..' }], 'a')).toBe('01 Track');
    expect(stemIds(tracks, ['c', 'a'])).toEqual(['a', 'c']);
    expect(stemIds(tracks, [])).toEqual(['a', 'b', 'c']);
  });
});
