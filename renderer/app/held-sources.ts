import type { MixState } from '../state/mix';

/**
 * Which of the held sources no longer belong to any track the desk can show again: not in the
 * project, nor anywhere in its undo or redo history. A deleted track keeps its sound while an undo
 * could bring it back; once the history lets go of it (200 steps later, or a change after undoing
 * its import), so do the desk, the engine Worker and the preview's worklet.
 */
export function unreferenced(held: Iterable<string>, state: MixState): string[] {
  const present = new Set(state.present.tracks.map((t) => t.id));
  const missing = [...held].filter((id) => !present.has(id));
  // The common case (every held source on a track of the project) costs one pass over the project.
  if (missing.length === 0) return missing;
  const inHistory = new Set<string>();
  for (const project of [...state.past, ...state.future])
    for (const track of project.tracks) inHistory.add(track.id);
  return missing.filter((id) => !inHistory.has(id));
}
