/**
 * Each track's colour, for its strip's edge and its waveform: picked from a palette that reads on
 * the dark desk, by a hash of the track's id, so a track keeps its colour when moved or reloaded.
 */
export const TRACK_PALETTE = [
  '#5eead4',
  '#60a5fa',
  '#f472b6',
  '#facc15',
  '#a78bfa',
  '#fb923c',
  '#4ade80',
  '#f87171',
  '#38bdf8',
  '#e879f9',
  '#a3e635',
  '#fbbf24',
] as const;

export function trackColour(id: string): string {
  // FNV-1a: a cheap, well-spread hash of the id's characters.
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return TRACK_PALETTE[hash % TRACK_PALETTE.length] as string;
}
