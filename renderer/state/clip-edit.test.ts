import { describe, expect, it } from 'vitest';
import { newTrack, type Track } from '../../contracts/project';
import { clipBounds, clipLength, editClip, snapMove, snapTime } from './clip-edit';
import { initialMix, mixReducer } from './mix';

const SOURCE = 10;
const track = (patch: Partial<Track> = {}): Track => ({ ...newTrack('t', 'T', 't.wav'), ...patch });

describe('clip editing', () => {
  it('moves a clip, never before the song’s start', () => {
    expect(editClip(track(), { kind: 'move', startSec: 2.5 }, SOURCE).startOffsetSec).toBe(2.5);
    expect(editClip(track(), { kind: 'move', startSec: -1 }, SOURCE).startOffsetSec).toBe(0);
  });

  it('trims the start keeping the audio in place, within the source and the song', () => {
    const moved = editClip(track(), { kind: 'move', startSec: 2 }, SOURCE);
    const trimmed = editClip(moved, { kind: 'trimStart', atSec: 3.5 }, SOURCE);
    expect(trimmed.startOffsetSec).toBe(3.5);
    expect(trimmed.clip).toMatchObject({ trimStartSec: 1.5, lengthSec: null });
    expect(clipBounds(trimmed, SOURCE)).toEqual({ start: 3.5, end: 12 });
    // Pulled back out: no further than the source's first sample.
    const back = editClip(trimmed, { kind: 'trimStart', atSec: 0 }, SOURCE);
    expect(back.startOffsetSec).toBe(2);
    expect(back.clip.trimStartSec).toBe(0);
    // Pushed past the end: 10 ms are left.
    expect(clipLength(editClip(moved, { kind: 'trimStart', atSec: 50 }, SOURCE).clip, SOURCE)).toBeCloseTo(
      0.01,
      9,
    );
  });

  it('trims the end, never past the source, and a full length reads as "to the end"', () => {
    const short = editClip(track({ startOffsetSec: 1 }), { kind: 'trimEnd', atSec: 4 }, SOURCE);
    expect(short.clip.lengthSec).toBe(3);
    expect(editClip(short, { kind: 'trimEnd', atSec: 99 }, SOURCE).clip.lengthSec).toBeNull();
    expect(editClip(short, { kind: 'trimEnd', atSec: 0 }, SOURCE).clip.lengthSec).toBe(0.01);
  });

  it('keeps fades inside the clip, the fade out giving way to the fade in, also after a trim', () => {
    let t = editClip(track(), { kind: 'fadeIn', sec: 4 }, SOURCE);
    t = editClip(t, { kind: 'fadeOut', sec: 8 }, SOURCE);
    expect(t.clip).toMatchObject({ fadeInSec: 4, fadeOutSec: 6 });
    t = editClip(t, { kind: 'trimEnd', atSec: 5 }, SOURCE);
    expect(t.clip).toMatchObject({ lengthSec: 5, fadeInSec: 4, fadeOutSec: 1 });
    t = editClip(t, { kind: 'curve', which: 'out', curve: 'linear' }, SOURCE);
    expect(t.clip.fadeOutCurve).toBe('linear');
    expect(editClip(t, { kind: 'fadeIn', sec: Number.NaN }, SOURCE)).toBe(t);
  });

  it('snaps to other clips’ edges in reach, else to 10 ms; Alt (no snap) keeps the time', () => {
    expect(snapTime(1.2345, [3], 0.05, true)).toBeCloseTo(1.23, 9);
    expect(snapTime(2.97, [3, 5], 0.05, true)).toBe(3);
    expect(snapTime(2.97, [3], 0.05, false)).toBe(2.97);
    // A moved clip 2 s long: its end lands on the edge at 5.
    expect(snapMove(2.98, 2, [5], 0.05, true)).toBe(3);
    expect(snapMove(1.004, 2, [5], 0.05, true)).toBeCloseTo(1, 9);
  });

  it('is undoable, a drag being one step', () => {
    let s = mixReducer(initialMix(), { type: 'addTracks', tracks: [track()] });
    for (const startSec of [0.1, 0.2, 0.3])
      s = mixReducer(s, {
        type: 'editClip',
        id: 't',
        edit: { kind: 'move', startSec },
        sourceSec: SOURCE,
        gesture: 'drag',
      });
    s = mixReducer(s, { type: 'endGesture' });
    expect(s.present.tracks[0]?.startOffsetSec).toBe(0.3);
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.tracks[0]?.startOffsetSec).toBe(0);
    s = mixReducer(s, { type: 'redo' });
    expect(s.present.tracks[0]?.startOffsetSec).toBe(0.3);
  });
});
