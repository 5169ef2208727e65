import type { CompressorSettings, Track } from '../../contracts/project';
import { dbToGain, isAudible, panGains } from '../../engine/index';

/**
 * The values the preview graph's nodes take for a track, from the engine's own laws: the same dB to
 * gain, the same constant-power pan, the same RBJ shelves and peak (Web Audio's BiquadFilterNode is
 * defined by the same cookbook; its shelves ignore Q like the engine's S = 1 shelves).
 */
export type StripParams = {
  gain: number;
  panLeft: number;
  panRight: number;
  low: { frequency: number; gain: number };
  mid: { frequency: number; gain: number; Q: number };
  high: { frequency: number; gain: number };
  compressor: { threshold: number; ratio: number; attack: number; release: number; makeup: number };
};

/** A compressor at ratio 1 passes the signal unchanged, so switching it off needs no rewiring. */
export function compressorParams(c: CompressorSettings): StripParams['compressor'] {
  if (!c.enabled) return { threshold: 0, ratio: 1, attack: 0.003, release: 0.25, makeup: 1 };
  return {
    threshold: c.thresholdDb,
    ratio: c.ratio,
    attack: c.attackMs / 1000,
    release: c.releaseMs / 1000,
    makeup: dbToGain(c.makeupDb),
  };
}

export function stripParams(track: Track, anySolo: boolean): StripParams {
  const pan = panGains(track.pan);
  return {
    gain: isAudible(track, anySolo) ? dbToGain(track.gainDb) : 0,
    panLeft: pan.left,
    panRight: pan.right,
    low: { frequency: track.eq.low.freqHz, gain: track.eq.low.gainDb },
    mid: { frequency: track.eq.mid.freqHz, gain: track.eq.mid.gainDb, Q: track.eq.mid.q },
    high: { frequency: track.eq.high.freqHz, gain: track.eq.high.gainDb },
    compressor: compressorParams(track.compressor),
  };
}

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
