import type { Side } from '../audio/ab-player';

/** The gain (dB) each side of the A/B is played at, and which one was turned down by how much. */
export type LoudnessMatch = { gainDb: Record<Side, number>; turnedDown: Side | null; byDb: number };

const UNMATCHED: LoudnessMatch = { gainDb: { A: 0, B: 0 }, turnedDown: null, byDb: 0 };

/**
 * Louder sounds better to everyone, so an honest A/B plays both at the same loudness: the louder
 * side is turned down by the difference of the two integrated loudnesses (never the quieter one up,
 * which could clip). Unmeasurable loudness (silence) leaves both as they are.
 */
export function loudnessMatch(beforeLufs: number | null, afterLufs: number | null): LoudnessMatch {
  if (beforeLufs === null || afterLufs === null) return UNMATCHED;
  if (!Number.isFinite(beforeLufs) || !Number.isFinite(afterLufs)) return UNMATCHED;
  // A tenth of a decibel is below what anyone hears as louder: rounded so the label tells the truth.
  const difference = Math.round((afterLufs - beforeLufs) * 10) / 10;
  if (difference === 0) return UNMATCHED;
  return difference > 0
    ? { gainDb: { A: 0, B: -difference }, turnedDown: 'B', byDb: difference }
    : { gainDb: { A: difference, B: 0 }, turnedDown: 'A', byDb: -difference };
}

/** Linear gain of a level in dB. */
export const gainOf = (db: number): number => 10 ** (db / 20);
