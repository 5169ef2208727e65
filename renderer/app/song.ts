import type { Track } from '../../contracts/project';
import { clipBounds } from '../state/clip-edit';

/** The song's length: the end of the latest clip whose audio is loaded. */
export function songDuration(
  tracks: readonly Track[],
  library: Readonly<Record<string, { duration: number }>>,
): number {
  let end = 0;
  for (const track of tracks) {
    const audio = library[track.id];
    if (audio) end = Math.max(end, clipBounds(track, audio.duration).end);
  }
  return end;
}

/** The time a click at `x` pixels of a `width`-pixel timeline points to. */
export function timeAt(x: number, width: number, duration: number): number {
  if (width <= 0 || duration <= 0) return 0;
  return Math.min(duration, Math.max(0, (x / width) * duration));
}
