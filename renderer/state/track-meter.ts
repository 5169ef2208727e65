/**
 * A track's peak meter: how the bar moves between two readings. The bar jumps up to a new peak at
 * once and falls back at a fixed rate (as a DAW's peak meter does, IEC 60268-10 type II: 20 dB in
 * about 1.7 s), so that after Stop it sinks to silence instead of freezing where the music left it.
 */
export const METER_FLOOR_DB = -60;
export const METER_FALL_DB_PER_SEC = 12;
/** A sample at or over full scale clips in a fixed-point file; the light says so. */
export const CLIP_LEVEL = 1;

export type MeterLevel = { left: number; right: number };
export const SILENT: MeterLevel = { left: METER_FLOOR_DB, right: METER_FLOOR_DB };

const toDb = (peak: number) => (peak > 0 ? Math.max(METER_FLOOR_DB, 20 * Math.log10(peak)) : METER_FLOOR_DB);

/** The bar after `elapsedSec`, given the peaks (linear) heard meanwhile. */
export function nextLevel(previous: MeterLevel, peaks: MeterLevel, elapsedSec: number): MeterLevel {
  const fall = METER_FALL_DB_PER_SEC * Math.max(0, elapsedSec);
  const side = (was: number, peak: number) => Math.max(toDb(peak), Math.max(METER_FLOOR_DB, was - fall));
  return { left: side(previous.left, peaks.left), right: side(previous.right, peaks.right) };
}

/** The bar's height, 0 … 1, over the meter's scale. */
export const meterFill = (db: number) => Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB));

export const clipped = (peaks: MeterLevel) => peaks.left >= CLIP_LEVEL || peaks.right >= CLIP_LEVEL;

/** Clip lights on: a set of track ids; a light holds until clicked (or the track goes). */
export type ClipAction = { type: 'clip'; id: string } | { type: 'clear'; id: string } | { type: 'clearAll' };
export function clipReducer(state: ReadonlySet<string>, action: ClipAction): ReadonlySet<string> {
  switch (action.type) {
    case 'clip':
      return state.has(action.id) ? state : new Set([...state, action.id]);
    case 'clear': {
      if (!state.has(action.id)) return state;
      const next = new Set(state);
      next.delete(action.id);
      return next;
    }
    case 'clearAll':
      return state.size === 0 ? state : new Set();
  }
}
