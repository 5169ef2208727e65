import { describe, expect, it } from 'vitest';
import { newTrack } from '../../contracts/project';
import { dbToGain, panGains } from '../../engine/index';
import { compressorParams, dbToFader, faderToDb, panLabel, stripParams } from './params';

describe('preview parameters follow the engine laws', () => {
  it('gain in dB and the constant-power pan, −3 dB at centre', () => {
    const track = { ...newTrack('a', 'A', 'a.wav'), gainDb: -6, pan: 0 };
    const p = stripParams(track, false);
    expect(p.gain).toBeCloseTo(dbToGain(-6), 12);
    expect(p.panLeft).toBeCloseTo(Math.SQRT1_2, 12);
    expect(20 * Math.log10(p.panRight)).toBeCloseTo(-3.0103, 3);
    const hard = stripParams({ ...track, pan: 0.5 }, false);
    expect([hard.panLeft, hard.panRight]).toEqual([panGains(0.5).left, panGains(0.5).right]);
  });

  it('mute silences and solo silences the others, as the engine decides', () => {
    const a = newTrack('a', 'A', 'a.wav');
    expect(stripParams({ ...a, mute: true }, false).gain).toBe(0);
    expect(stripParams(a, true).gain).toBe(0);
    expect(stripParams({ ...a, solo: true }, true).gain).toBe(1);
  });

  it('EQ bands keep the engine’s frequencies, gains and Q', () => {
    const a = newTrack('a', 'A', 'a.wav');
    a.eq = {
      low: { gainDb: 3, freqHz: 100 },
      mid: { gainDb: -4, freqHz: 900, q: 2 },
      high: { gainDb: 5, freqHz: 9000 },
    };
    const p = stripParams(a, false);
    expect(p.low).toEqual({ frequency: 100, gain: 3 });
    expect(p.mid).toEqual({ frequency: 900, gain: -4, Q: 2 });
    expect(p.high).toEqual({ frequency: 9000, gain: 5 });
  });

  it('a disabled compressor is transparent (ratio 1, unity makeup)', () => {
    const c = compressorParams({
      enabled: false,
      thresholdDb: -30,
      ratio: 8,
      attackMs: 5,
      releaseMs: 100,
      makeupDb: 6,
    });
    expect(c).toMatchObject({ ratio: 1, makeup: 1 });
    const on = compressorParams({
      enabled: true,
      thresholdDb: -30,
      ratio: 8,
      attackMs: 5,
      releaseMs: 100,
      makeupDb: 6,
    });
    expect(on).toMatchObject({ threshold: -30, ratio: 8, attack: 0.005, release: 0.1 });
    expect(on.makeup).toBeCloseTo(dbToGain(6), 12);
  });
});

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
