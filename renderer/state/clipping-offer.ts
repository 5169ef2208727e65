import type { Locale } from '../../contracts/bridge';
import { gainToDb } from '../../engine/dsp/laws';
import type { Clipping } from '../../engine/io/wav';
import { formatNumber } from '../i18n';
import { MASTER_GAIN_DB } from './mix';
import type { Text } from './text';

/** Where the offered master gain puts the export's peak: a tenth of a dB under full scale. */
export const SAFE_PEAK_TENTHS = -1;

export type ClippingOffer = {
  samples: number;
  /** The peak before clipping in dBFS, rounded up to the tenth: never said lower than it was. */
  peakDbfs: number;
  /** How far to lower the master (a tenth-rounded fix, or what the fader has left); null: it is at its bottom. */
  lowerByDb: number | null;
  /** Whether lowering by `lowerByDb` brings the peak to −0.1 dBFS or under (not when the bottom stops it short). */
  enough: boolean;
};

/**
 * What to say about an export that clipped, and how far the master fader should come down so the
 * same mix peaks at −0.1 dBFS or under. The master is a plain gain at the end of the mix, so its dB
 * move the peak by as many dB. Null when nothing clipped (a float file never does) or the peak is
 * not a number.
 */
export function clippingOffer(clipping: Clipping, masterGainDb: number): ClippingOffer | null {
  if (!(clipping.samples > 0)) return null;
  const peakDb = gainToDb(clipping.peak);
  if (!Number.isFinite(peakDb)) return null;
  // In whole tenths so that the rounding is exact; the tolerance keeps 2.3 from becoming 2.4, and
  // `+ 0` makes a peak just under 0 dBFS (a 16-bit file clips from 32767/32768) 0, not −0.
  const peakTenths = Math.ceil(peakDb * 10 - 1e-9) + 0;
  const neededDb = (peakTenths - SAFE_PEAK_TENTHS) / 10;
  const roomDb = masterGainDb - MASTER_GAIN_DB.min;
  const base = { samples: clipping.samples, peakDbfs: peakTenths / 10 };
  if (!(roomDb > 0)) return { ...base, lowerByDb: null, enough: false };
  if (roomDb >= neededDb) return { ...base, lowerByDb: neededDb, enough: true };
  return { ...base, lowerByDb: roomDb, enough: false };
}

/** The master gain `byDb` lower, within the fader's travel. */
export function loweredMaster(gainDb: number, byDb: number): number {
  // Tenths stay tenths: 0.3 − 2.4 is −2.1, not −2.0999999999999996.
  const next = Number((gainDb - byDb).toFixed(6));
  return Math.min(MASTER_GAIN_DB.max, Math.max(MASTER_GAIN_DB.min, next));
}

/** A level in dB with its sign, as a meter says it: "+2.3 dBFS", "−0.4 dBFS", "0.0 dBFS". */
export function signedDb(locale: Locale, value: number): string {
  const text = formatNumber(locale, Math.abs(value), 1) ?? '';
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

/** The notice's button: lower the master by `byDb`; `enough`: that brings the peak to −0.1 dBFS. */
export type LowerMaster = { byDb: number; enough: boolean };

export type ClippingNotice = {
  /** The sentences of the notice, in order. */
  texts: Text[];
  /** The one button and its label; null when the fader has nowhere to go. */
  action: (LowerMaster & { label: Text }) | null;
};

/** The notice after a saved export that clipped: what happened, and the master's way out. */
export function clippingNotice(offer: ClippingOffer, what: 'mix' | 'stems', locale: Locale): ClippingNotice {
  const one = offer.samples === 1;
  const key =
    what === 'mix'
      ? one
        ? 'clipping.savedMixOne'
        : 'clipping.savedMix'
      : one
        ? 'clipping.savedStemsOne'
        : 'clipping.savedStems';
  const said: Text = {
    key,
    params: {
      count: formatNumber(locale, offer.samples, 0) ?? String(offer.samples),
      peak: signedDb(locale, offer.peakDbfs),
    },
  };
  if (offer.lowerByDb === null) return { texts: [said, { key: 'clipping.atBottom' }], action: null };
  const label: Text = offer.enough
    ? { key: 'clipping.lowerBy', params: { db: formatNumber(locale, offer.lowerByDb, 1) ?? '' } }
    : { key: 'clipping.lowerToBottom' };
  return { texts: [said], action: { byDb: offer.lowerByDb, enough: offer.enough, label } };
}

/**
 * What the desk says once the button took the master from `beforeDb` to `afterDb`: export again, or,
 * when the fader's bottom stopped it short of the fix, that the mix may still clip.
 */
export function loweredNotice(offer: LowerMaster, beforeDb: number, afterDb: number, locale: Locale): Text {
  const movedDb = beforeDb - afterDb;
  const db = formatNumber(locale, movedDb, 1) ?? '';
  if (!offer.enough || movedDb < offer.byDb - 1e-6) return { key: 'clipping.loweredShort', params: { db } };
  // The gain as the master fader shows it (its bottom is −∞).
  const gain = afterDb <= MASTER_GAIN_DB.min ? '−∞' : (formatNumber(locale, afterDb) ?? '');
  return { key: 'clipping.lowered', params: { db, gain } };
}
