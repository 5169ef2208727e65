import type { Track } from '../../contracts/project';

export const anySoloOf = (tracks: readonly Track[]) => tracks.some((t) => t.solo && !t.mute);

/** Pan knob text in its catalogue parts: centre, or L/R with a 0–100 amount. */
export function panLabel(pan: number): { side: 'centre' | 'left' | 'right'; amount: number } {
  const amount = Math.round(Math.abs(pan) * 100);
  if (amount === 0) return { side: 'centre', amount: 0 };
  return { side: pan < 0 ? 'left' : 'right', amount };
}

/** Fader travel (0…1) to dB and back: a musician's taper, fine near 0 dB, −∞ at the bottom. */
export const FADER_MIN_DB = -60;
export function faderToDb(position: number): number {
  const p = Math.min(1, Math.max(0, position));
  if (p <= 0) return -96;
  // 0.8 of the travel is 0 dB; above it, +12 dB linearly; below, a curve to −60 dB.
  if (p >= 0.8) return ((p - 0.8) / 0.2) * 12;
  return FADER_MIN_DB * (1 - p / 0.8) ** 2;
}
export function dbToFader(db: number): number {
  if (db <= -96) return 0;
  if (db >= 0) return 0.8 + (Math.min(12, db) / 12) * 0.2;
  const ratio = Math.min(1, db / FADER_MIN_DB);
  return 0.8 * (1 - Math.sqrt(ratio));
}
