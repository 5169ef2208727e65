import { describe, expect, it } from 'vitest';
import { dbToFader, faderToDb, panLabel } from './params';

describe('fader taper', () => {
  it('round-trips dB through the fader travel', () => {
    for (const db of [-48, -20, -6, -1, 0, 3, 12]) expect(faderToDb(dbToFader(db))).toBeCloseTo(db, 9);
    expect(faderToDb(0)).toBe(-96);
    expect(dbToFader(-96)).toBe(0);
    expect(faderToDb(1)).toBeCloseTo(12, 9);
  });
  it('pan reads C, L and R amounts', () => {
    expect(panLabel(0)).toEqual({ side: 'centre', amount: 0 });
    expect(panLabel(-0.25)).toEqual({ side: 'left', amount: 25 });
    expect(panLabel(1)).toEqual({ side: 'right', amount: 100 });
  });
});
