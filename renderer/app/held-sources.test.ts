import { describe, expect, it } from 'vitest';
import { newProject, newTrack } from '../../contracts/project';
import { HISTORY_LIMIT, initialMix, type MixState, mixReducer } from '../state/mix';
import { unreferenced } from './held-sources';

const start = (): MixState =>
  mixReducer(initialMix(newProject('held')), {
    type: 'addTracks',
    tracks: [newTrack('a', 'A', 'a.wav'), newTrack('b', 'B', 'b.wav')],
  });

describe('which sources the desk may let go of', () => {
  it('keeps a deleted track’s source while undo can bring it back, and lets go once history drops it', () => {
    let s = mixReducer(start(), { type: 'removeTrack', id: 'b' });
    expect(unreferenced(['a', 'b'], s)).toEqual([]);
    // Undone and redone: still within reach.
    s = mixReducer(mixReducer(s, { type: 'undo' }), { type: 'redo' });
    expect(unreferenced(['a', 'b'], s)).toEqual([]);
    for (let i = 0; i < HISTORY_LIMIT - 1; i++)
      s = mixReducer(s, { type: 'updateTrack', id: 'a', patch: { gainDb: -(i % 20) - 1 } });
    // The deletion is the oldest step left: undoing every step would bring "b" back.
    expect(unreferenced(['a', 'b'], s)).toEqual([]);
    s = mixReducer(s, { type: 'renameTrack', id: 'a', name: 'A2' });
    expect(unreferenced(['a', 'b'], s)).toEqual(['b']);
  });

  it('lets go of an undone import once a new change drops the redo', () => {
    let s = mixReducer(start(), { type: 'undo' });
    expect(s.present.tracks).toHaveLength(0);
    expect(unreferenced(['a', 'b'], s)).toEqual([]);
    s = mixReducer(s, { type: 'setMaster', patch: { gainDb: -2 } });
    expect(unreferenced(['a', 'b'], s)).toEqual(['a', 'b']);
  });

  it('a source whose track is in the project is never let go of; another project drops the rest', () => {
    const s = start();
    expect(unreferenced(['a'], s)).toEqual([]);
    const other = mixReducer(s, { type: 'load', project: newProject('other') });
    expect(unreferenced(['a', 'b'], other)).toEqual(['a', 'b']);
  });
});
