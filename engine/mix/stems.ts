import { safeFileName } from '../../contracts/file-name';
import type { Track } from '../../contracts/project';

/**
 * The tracks of one stem: the whole session with only `trackId` heard, through its own strip (gain,
 * pan, EQ, compressor, clip, send), whatever its mute or solo on the desk — a stem is asked for by
 * name. Every other track stays in the list, muted, so the stem keeps the mix's length, and the
 * master gain still applies: stems rendered this way sum to the mix (every strip is linear in its
 * input but the compressor, and the reverb bus is linear too).
 */
export function stemTracks(tracks: readonly Track[], trackId: string): Track[] {
  if (!tracks.some((t) => t.id === trackId)) throw new Error(`No track ${trackId} in this session.`);
  return tracks.map((t) =>
    t.id === trackId ? { ...t, mute: false, solo: false } : { ...t, mute: true, solo: false },
  );
}

/** The tracks a stem export writes: the ones asked for (in desk order), or every track. */
export function stemIds(tracks: readonly Track[], selected: readonly string[]): string[] {
  const wanted = new Set(selected);
  return tracks.filter((t) => selected.length === 0 || wanted.has(t.id)).map((t) => t.id);
}

/** A stem's file name (without extension): its position and its track name, safe on every system. */
export function stemFileName(tracks: readonly Track[], trackId: string): string {
  const index = tracks.findIndex((t) => t.id === trackId);
  // Slashes would be read as folders: they become underscores like the other unsafe characters.
  const name = safeFileName((tracks[index]?.name ?? trackId).replaceAll(/[\\/]/g, '_'), 'Track').slice(
    0,
    100,
  );
  return `${String(index + 1).padStart(2, '0')} ${name}`;
}
