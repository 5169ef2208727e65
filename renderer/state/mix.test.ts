import { describe, expect, it } from 'vitest';
import { DEFAULT_REVERB_BUS, DEFAULT_SEND, newTrack, ProjectFile } from '../../contracts/project';
import { canRedo, canUndo, emptyProject, HISTORY_LIMIT, initialMix, type MixState, mixReducer } from './mix';

const withTracks = (...names: string[]): MixState =>
  mixReducer(initialMix(), { type: 'addTracks', tracks: names.map((n) => newTrack(n, n, `${n}.wav`)) });
const names = (s: MixState) => s.present.tracks.map((t) => t.id);

describe('mix reducer', () => {
  it('adds tracks as one undoable step and ignores ids it already has', () => {
    const s = withTracks('a', 'b');
    expect(names(s)).toEqual(['a', 'b']);
    expect(canUndo(s)).toBe(true);
    const again = mixReducer(s, { type: 'addTracks', tracks: [newTrack('a', 'again', 'x.wav')] });
    expect(again).toBe(s);
    expect(names(mixReducer(s, { type: 'undo' }))).toEqual([]);
  });

  it('clamps values to the project file ranges and ignores non-numbers', () => {
    let s = withTracks('a');
    s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { gainDb: 40, pan: -3 } });
    expect(s.present.tracks[0]).toMatchObject({ gainDb: 12, pan: -1 });
    const same = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { gainDb: Number.NaN } });
    expect(same).toBe(s);
    s = mixReducer(s, {
      type: 'updateTrack',
      id: 'a',
      patch: { eq: { mid: { q: 100 } }, compressor: { ratio: 0 } },
    });
    expect(s.present.tracks[0]?.eq.mid.q).toBe(18);
    expect(s.present.tracks[0]?.compressor.ratio).toBe(1);
  });

  it('changes nothing for an unknown track', () => {
    const s = withTracks('a');
    expect(mixReducer(s, { type: 'updateTrack', id: 'zz', patch: { mute: true } })).toBe(s);
    expect(mixReducer(s, { type: 'removeTrack', id: 'zz' })).toBe(s);
    expect(mixReducer(s, { type: 'renameTrack', id: 'zz', name: 'x' })).toBe(s);
    expect(mixReducer(s, { type: 'moveTrack', id: 'zz', to: 0 })).toBe(s);
  });

  it('coalesces one gesture into one undo step, and a new gesture starts another', () => {
    let s = withTracks('a');
    const depth = s.past.length;
    for (const gainDb of [-1, -2, -3, -4])
      s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { gainDb }, gesture: 'gain:a' });
    expect(s.past.length).toBe(depth + 1);
    s = mixReducer(s, { type: 'endGesture' });
    s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { gainDb: -10 }, gesture: 'gain:a' });
    expect(s.past.length).toBe(depth + 2);
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.tracks[0]?.gainDb).toBe(-4);
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.tracks[0]?.gainDb).toBe(0);
    s = mixReducer(s, { type: 'redo' });
    expect(s.present.tracks[0]?.gainDb).toBe(-4);
  });

  it('renames with trimmed text and refuses an empty name', () => {
    let s = withTracks('a');
    s = mixReducer(s, { type: 'renameTrack', id: 'a', name: '  Lead vocal  ' });
    expect(s.present.tracks[0]?.name).toBe('Lead vocal');
    expect(mixReducer(s, { type: 'renameTrack', id: 'a', name: '   ' })).toBe(s);
  });

  it('reorders within bounds only', () => {
    let s = withTracks('a', 'b', 'c');
    s = mixReducer(s, { type: 'moveTrack', id: 'c', to: 0 });
    expect(names(s)).toEqual(['c', 'a', 'b']);
    expect(mixReducer(s, { type: 'moveTrack', id: 'a', to: 3 })).toBe(s);
    expect(mixReducer(s, { type: 'moveTrack', id: 'a', to: -1 })).toBe(s);
    expect(mixReducer(s, { type: 'moveTrack', id: 'a', to: 0.5 })).toBe(s);
  });

  it('undoes a removal, bringing the track back where it was', () => {
    let s = withTracks('a', 'b', 'c');
    s = mixReducer(s, { type: 'removeTrack', id: 'b' });
    expect(names(s)).toEqual(['a', 'c']);
    s = mixReducer(s, { type: 'undo' });
    expect(names(s)).toEqual(['a', 'b', 'c']);
    expect(canRedo(s)).toBe(true);
  });

  it('a new change after undo drops the redo stack', () => {
    let s = withTracks('a');
    s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { mute: true } });
    s = mixReducer(s, { type: 'undo' });
    s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { solo: true } });
    expect(canRedo(s)).toBe(false);
  });

  it('keeps at most HISTORY_LIMIT steps', () => {
    let s = withTracks('a');
    for (let i = 0; i < HISTORY_LIMIT + 20; i++)
      s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { gainDb: -(i % 50) - 1 } });
    expect(s.past.length).toBe(HISTORY_LIMIT);
  });

  it('master gain is clamped and undoable', () => {
    let s = initialMix(emptyProject());
    s = mixReducer(s, { type: 'setMaster', patch: { gainDb: -200 } });
    expect(s.present.master.gainDb).toBe(-96);
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.master.gainDb).toBe(0);
  });

  it('master presets bring their numbers; one’s own target or ceiling is custom; all undoable', () => {
    let s = initialMix(emptyProject());
    expect(s.present.master).toMatchObject({ preset: 'streaming', targetLufs: -14, ceilingDbtp: -1 });
    s = mixReducer(s, { type: 'setMaster', patch: { preset: 'club' } });
    expect(s.present.master).toMatchObject({ preset: 'club', targetLufs: -9, ceilingDbtp: -0.3 });
    s = mixReducer(s, { type: 'setMaster', patch: { preset: 'broadcast' } });
    expect(s.present.master).toMatchObject({ preset: 'broadcast', targetLufs: -23, ceilingDbtp: -1 });
    // Custom keeps the numbers until they are changed.
    s = mixReducer(s, { type: 'setMaster', patch: { preset: 'custom' } });
    expect(s.present.master).toMatchObject({ preset: 'custom', targetLufs: -23, ceilingDbtp: -1 });
    s = mixReducer(s, { type: 'setMaster', patch: { targetLufs: -11.04 }, gesture: 'target' });
    s = mixReducer(s, { type: 'setMaster', patch: { targetLufs: -12 }, gesture: 'target' });
    s = mixReducer(s, { type: 'setMaster', patch: { ceilingDbtp: -40 } });
    expect(s.present.master).toMatchObject({ preset: 'custom', targetLufs: -12, ceilingDbtp: -9 });
    s = mixReducer(s, { type: 'setMaster', patch: { preset: 'apple' } });
    expect(s.present.master).toMatchObject({ preset: 'apple', targetLufs: -16, ceilingDbtp: -1 });
    s = mixReducer(s, { type: 'setMaster', patch: { glue: true, tilt: 'warmer' } });
    expect(s.present.master).toMatchObject({ glue: true, tilt: 'warmer' });
    // Out of range and not a value: clamped or ignored, never written.
    const before = s.present.master;
    s = mixReducer(s, {
      type: 'setMaster',
      patch: { tilt: 'louder' as never, preset: 'loud' as never, glue: 'yes' as never },
    });
    expect(s.present.master).toBe(before);
    s = mixReducer(s, { type: 'setMaster', patch: { targetLufs: Number.NaN } });
    expect(s.present.master).toMatchObject({ preset: 'custom', targetLufs: -16 });
    s = mixReducer(s, { type: 'setMaster', patch: { targetLufs: 0 } });
    expect(s.present.master.targetLufs).toBe(-6);
    // Each change is one undo step (the gesture's two target moves are one).
    const steps: string[] = [];
    while (canUndo(s)) {
      s = mixReducer(s, { type: 'undo' });
      steps.push(`${s.present.master.preset} ${s.present.master.targetLufs}`);
    }
    expect(steps).toEqual([
      'custom -16',
      'apple -16',
      'apple -16',
      'custom -12',
      'custom -12',
      'custom -23',
      'broadcast -23',
      'club -9',
      'streaming -14',
    ]);
  });

  it('export choices are checked, undoable, and a typed title is one step', () => {
    let s = initialMix(emptyProject());
    s = mixReducer(s, { type: 'setExport', patch: { format: 'mp3-320', rate: 44100 } });
    expect(s.present.export).toMatchObject({ format: 'mp3-320', rate: 44100 });
    for (const title of ['S', 'So', 'Son', 'Song'])
      s = mixReducer(s, { type: 'setExport', patch: { tags: { title } }, gesture: 'export-title' });
    s = mixReducer(s, { type: 'endGesture' });
    s = mixReducer(s, { type: 'setExport', patch: { stems: true, stemTrackIds: ['a'] } });
    expect(s.present.export).toEqual({
      format: 'mp3-320',
      rate: 44100,
      stems: true,
      stemTrackIds: ['a'],
      tags: { title: 'Song', artist: '' },
    });
    const before = s;
    for (const patch of [
      { format: 'ogg' },
      { rate: 96000 },
      { tags: { artist: 'x'.repeat(201) } },
      { stemTrackIds: [''] },
    ])
      expect(mixReducer(s, { type: 'setExport', patch: patch as never })).toBe(before);
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.export.tags.title).toBe('Song');
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.export.tags.title).toBe('');
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.export.format).toBe('wav24');
  });

  it('loading a project starts a fresh history', () => {
    const s = mixReducer(withTracks('a'), { type: 'load', project: emptyProject() });
    expect(canUndo(s)).toBe(false);
    expect(s.present.tracks).toEqual([]);
  });

  it('sets a track’s send within its ranges, undoably, one gesture one step', () => {
    let s = withTracks('a');
    expect(s.present.tracks[0]?.send).toEqual(DEFAULT_SEND);
    const depth = s.past.length;
    for (const levelDb of [-30, -20, -6])
      s = mixReducer(s, {
        type: 'updateTrack',
        id: 'a',
        patch: { send: { enabled: true, levelDb } },
        gesture: 'send:a',
      });
    expect(s.past.length).toBe(depth + 1);
    expect(s.present.tracks[0]?.send).toEqual({ enabled: true, levelDb: -6, preFader: false });
    s = mixReducer(s, { type: 'endGesture' });
    s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { send: { preFader: true } } });
    expect(s.present.tracks[0]?.send.preFader).toBe(true);
    // Out of range levels are clamped to −60 … +6 dB; a non-number changes nothing.
    s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { send: { levelDb: 20 } } });
    expect(s.present.tracks[0]?.send.levelDb).toBe(6);
    s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { send: { levelDb: -100 } } });
    expect(s.present.tracks[0]?.send.levelDb).toBe(-60);
    expect(mixReducer(s, { type: 'updateTrack', id: 'a', patch: { send: { levelDb: Number.NaN } } })).toBe(s);
    s = mixReducer(s, { type: 'undo' });
    s = mixReducer(s, { type: 'undo' });
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.tracks[0]?.send).toEqual({ enabled: true, levelDb: -6, preFader: false });
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.tracks[0]?.send).toEqual(DEFAULT_SEND);
    s = mixReducer(s, { type: 'redo' });
    expect(s.present.tracks[0]?.send.levelDb).toBe(-6);
    // The project still validates against its contract.
    expect(ProjectFile.safeParse(s.present).success).toBe(true);
  });

  it('sets the reverb bus within its ranges, undoably; a no-op is no step', () => {
    let s = initialMix(emptyProject());
    expect(s.present.reverb).toEqual(DEFAULT_REVERB_BUS);
    s = mixReducer(s, { type: 'setReverb', patch: { size: 0.8, decaySec: 3.2 }, gesture: 'rv' });
    s = mixReducer(s, { type: 'setReverb', patch: { decaySec: 4 }, gesture: 'rv' });
    expect(s.past.length).toBe(1);
    expect(s.present.reverb).toEqual({ ...DEFAULT_REVERB_BUS, size: 0.8, decaySec: 4 });
    s = mixReducer(s, { type: 'endGesture' });
    s = mixReducer(s, {
      type: 'setReverb',
      patch: { returnDb: 50, size: -1, decaySec: 0, damping: 2, preDelayMs: 1000 },
    });
    expect(s.present.reverb).toEqual({ returnDb: 6, size: 0, decaySec: 0.1, damping: 1, preDelayMs: 250 });
    expect(mixReducer(s, { type: 'setReverb', patch: { size: Number.NaN } })).toBe(s);
    expect(mixReducer(s, { type: 'setReverb', patch: { size: 0 } })).toBe(s);
    expect(ProjectFile.safeParse(s.present).success).toBe(true);
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.reverb.decaySec).toBe(4);
    s = mixReducer(s, { type: 'undo' });
    expect(s.present.reverb).toEqual(DEFAULT_REVERB_BUS);
    s = mixReducer(s, { type: 'redo' });
    expect(s.present.reverb.size).toBe(0.8);
  });
});
