import { describe, expect, it } from 'vitest';
import { dbToGain, gainToDb } from '../../engine/dsp/laws';
import { translator } from '../i18n';
import { clippingNotice, clippingOffer, loweredMaster, loweredNotice, signedDb } from './clipping-offer';

const en = translator('en');
const fr = translator('fr');
const say = (
  t: typeof en,
  texts: { key: Parameters<typeof en>[0]; params?: Record<string, string | number> }[],
) => texts.map((x) => t(x.key, x.params)).join(' ');

describe('the clipping offer', () => {
  it('nothing clipped (a float file, a quiet mix): nothing to say', () => {
    expect(clippingOffer({ samples: 0, peak: 0.8 }, 0)).toBeNull();
    // A 32-bit float file holds a peak of 1.5 without clipping: the engine counts no samples.
    expect(clippingOffer({ samples: 0, peak: 1.5 }, 0)).toBeNull();
    expect(clippingOffer({ samples: 3, peak: Number.NaN }, 0)).toBeNull();
  });

  it('a peak of 1.3 (+2.28 dBFS) is said as +2.3 dBFS and the master comes down 2.4 dB', () => {
    const offer = clippingOffer({ samples: 48000, peak: 1.3 }, 0);
    expect(offer).toEqual({ samples: 48000, peakDbfs: 2.3, lowerByDb: 2.4, enough: true });
    // The same peak through the master 2.4 dB lower: −0.12 dBFS, at or under −0.1.
    expect(gainToDb(1.3) - 2.4).toBeCloseTo(-0.121, 3);
  });

  it('a peak on a tenth stays on it (float rounding does not add a tenth)', () => {
    for (let tenths = -5; tenths <= 200; tenths++) {
      const offer = clippingOffer({ samples: 1, peak: dbToGain(tenths / 10) }, 0);
      expect(offer?.peakDbfs, `${tenths / 10} dBFS`).toBe(tenths / 10 + 0);
      expect(offer?.lowerByDb, `${tenths / 10} dBFS`).toBe((tenths + 1) / 10);
    }
  });

  it('the reduction is the least in tenths that keeps the peak at −0.1 dBFS or under', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const peak = 1 + random() * 7; // 0 … +18 dBFS
      const offer = clippingOffer({ samples: 10, peak }, 6);
      const by = offer?.lowerByDb as number;
      expect(gainToDb(peak) - by).toBeLessThanOrEqual(-0.1 + 1e-9);
      expect(gainToDb(peak) - (by - 0.1)).toBeGreaterThan(-0.1);
      expect(Math.round(by * 10) / 10).toBe(by);
    }
  });

  it('a sample just past a 16-bit file’s top (under 0 dBFS) says 0.0 dBFS, not −0.0, and offers 0.1 dB', () => {
    const offer = clippingOffer({ samples: 1, peak: 32767.5 / 32768 }, 0);
    expect(offer).toEqual({ samples: 1, peakDbfs: 0, lowerByDb: 0.1, enough: true });
    expect(Object.is(offer?.peakDbfs, -0)).toBe(false);
    expect(signedDb('en', offer?.peakDbfs as number)).toBe('0.0');
  });

  it('respects the master fader’s bottom (−96 dB): short of it, what is left; at it, nothing', () => {
    expect(clippingOffer({ samples: 5, peak: 1.3 }, -93)).toEqual({
      samples: 5,
      peakDbfs: 2.3,
      lowerByDb: 2.4,
      enough: true,
    });
    expect(clippingOffer({ samples: 5, peak: 1.3 }, -95)).toEqual({
      samples: 5,
      peakDbfs: 2.3,
      lowerByDb: 1,
      enough: false,
    });
    expect(clippingOffer({ samples: 5, peak: 1.3 }, -96)).toEqual({
      samples: 5,
      peakDbfs: 2.3,
      lowerByDb: null,
      enough: false,
    });
  });

  it('lowers within the fader’s travel, tenths staying tenths', () => {
    expect(loweredMaster(0.3, 2.4)).toBe(-2.1);
    expect(loweredMaster(12, 2.4)).toBe(9.6);
    expect(loweredMaster(-95, 2.4)).toBe(-96);
  });
});

describe('what the musician reads', () => {
  it('the count, the peak and the button, in English and French', () => {
    const offer = clippingOffer({ samples: 48000, peak: 1.3 }, 0);
    if (!offer) throw new Error('an offer was expected');
    const english = clippingNotice(offer, 'mix', 'en');
    expect(say(en, english.texts)).toBe(
      'The mix was saved, but 48,000 samples clipped (peak +2.3\u00a0dBFS).',
    );
    expect(en(english.action?.label.key as never, english.action?.label.params)).toBe(
      'Lower the master by 2.4\u00a0dB',
    );
    expect(english.action).toMatchObject({ byDb: 2.4, enough: true });
    const french = clippingNotice(offer, 'stems', 'fr');
    expect(say(fr, french.texts)).toBe(
      'Les stems ont été enregistrés, mais 48\u202f000 échantillons ont saturé (crête +2,3\u00a0dBFS).',
    );
    expect(fr(french.action?.label.key as never, french.action?.label.params)).toBe(
      'Baisser le master de 2,4\u00a0dB',
    );
  });

  it('one sample is one sample', () => {
    const offer = clippingOffer({ samples: 1, peak: 1.01 }, 0);
    if (!offer) throw new Error('an offer was expected');
    expect(say(en, clippingNotice(offer, 'mix', 'en').texts)).toBe(
      'The mix was saved, but 1 sample clipped (peak +0.1\u00a0dBFS).',
    );
    expect(say(fr, clippingNotice(offer, 'mix', 'fr').texts)).toBe(
      'Le mix a été enregistré, mais 1 échantillon a saturé (crête +0,1\u00a0dBFS).',
    );
  });

  it('at the fader’s bottom, no button and another way out; short of the fix, the button says so', () => {
    const atBottom = clippingOffer({ samples: 20, peak: 2 }, -96);
    if (!atBottom) throw new Error('an offer was expected');
    const notice = clippingNotice(atBottom, 'mix', 'en');
    expect(notice.action).toBeNull();
    expect(say(en, notice.texts)).toBe(
      'The mix was saved, but 20 samples clipped (peak +6.1\u00a0dBFS). The master fader is already at its lowest: turn the tracks down, or export as WAV 32-bit float.',
    );
    const short = clippingOffer({ samples: 20, peak: 2 }, -95);
    if (!short) throw new Error('an offer was expected');
    const label = clippingNotice(short, 'mix', 'en').action?.label;
    expect(en(label?.key as never)).toBe('Lower the master all the way');
  });

  it('once lowered: where the master is and to export again; short of the fix, that it may still clip', () => {
    const done = loweredNotice({ byDb: 2.4, enough: true }, 0, -2.4, 'en');
    expect(en(done.key, done.params)).toBe(
      'Master lowered by 2.4\u00a0dB, to -2.4\u00a0dB. Export again for a file that does not clip.',
    );
    const frDone = loweredNotice({ byDb: 2.4, enough: true }, 0, -2.4, 'fr');
    expect(fr(frDone.key, frDone.params)).toBe(
      'Master baissé de 2,4\u00a0dB, à -2,4\u00a0dB. Exportez à nouveau pour un fichier sans saturation.',
    );
    // The fader moved down since the notice: the bottom stops the same button short.
    const short = loweredNotice({ byDb: 2.4, enough: true }, -95, -96, 'en');
    expect(en(short.key, short.params)).toBe(
      'Master lowered by 1.0\u00a0dB, to its lowest. The mix may still clip: turn the tracks down, then export again.',
    );
    const exact = loweredNotice({ byDb: 2.4, enough: true }, -93.6, -96, 'en');
    expect(en(exact.key, exact.params)).toBe(
      'Master lowered by 2.4\u00a0dB, to −∞\u00a0dB. Export again for a file that does not clip.',
    );
  });
});
