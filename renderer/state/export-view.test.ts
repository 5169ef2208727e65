import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT, type ExportSettings } from '../../contracts/export';
import { newTrack } from '../../contracts/project';
import { exportEstimate, FORMAT_ORDER, stemSelection, toggleStem } from './export-view';

const tracks = ['a', 'b', 'c'].map((id) => newTrack(id, id.toUpperCase(), `${id}.wav`));
const settings = (patch: Partial<ExportSettings> = {}): ExportSettings => ({ ...DEFAULT_EXPORT, ...patch });

describe('export dialog view', () => {
  it('lists the seven formats once each', () => {
    expect(new Set(FORMAT_ORDER).size).toBe(7);
  });

  it('stems: every track by default; a choice keeps desk order; removed tracks fall back to all', () => {
    expect([...stemSelection(tracks, settings())]).toEqual(['a', 'b', 'c']);
    expect([...stemSelection(tracks, settings({ stemTrackIds: ['c', 'a'] }))]).toEqual(['a', 'c']);
    expect([...stemSelection(tracks, settings({ stemTrackIds: ['gone'] }))]).toEqual(['a', 'b', 'c']);
  });

  it('ticking: all ticked is stored as "all"; the last one cannot be unticked; unknown ids change nothing', () => {
    expect(toggleStem(tracks, settings(), 'b', false)).toEqual(['a', 'c']);
    expect(toggleStem(tracks, settings({ stemTrackIds: ['a', 'c'] }), 'b', true)).toEqual([]);
    expect(toggleStem(tracks, settings({ stemTrackIds: ['a'] }), 'a', false)).toBeNull();
    expect(toggleStem(tracks, settings(), 'zz', false)).toBeNull();
  });

  it('the estimate: MB of the format at the export rate, times the stems', () => {
    // 10 s of 16-bit stereo at 44.1 kHz: 1.764 MB.
    expect(exportEstimate(settings({ format: 'wav16', rate: 44100 }), tracks, 10, 48000)).toEqual({
      megabytes: 1.764,
      files: 1,
      rate: 44100,
      extension: 'wav',
    });
    // MP3 320: 40 kB a second whatever the rate; two stems of it.
    const stems = settings({ format: 'mp3-320', stems: true, stemTrackIds: ['a', 'b'] });
    expect(exportEstimate(stems, tracks, 60, 48000)).toMatchObject({ megabytes: 4.8, files: 2 });
    expect(exportEstimate(settings({ rate: 'session' }), tracks, 1, 44100).rate).toBe(44100);
    expect(exportEstimate(settings({ format: 'flac24' }), tracks, -5, 48000).megabytes).toBe(0);
  });
});
