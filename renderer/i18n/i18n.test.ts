import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr } from './fr';
import {
  formatClock,
  formatMoney,
  formatNumber,
  interpolate,
  localeFromTag,
  parseSeconds,
  translator,
} from './index';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  it('French has exactly the English keys, each with the same placeholders', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
      expect(fr[key].trim(), key).not.toBe('');
    }
  });
  it('keeps the French copy the issue asks for', () => {
    const values = Object.values(fr);
    for (const phrase of [
      'Passer en Pro',
      'Réservé aux abonnés Pro',
      'Quota dépassé – passez en Pro',
      'Merci, vous êtes Pro',
    ])
      expect(values).toContain(phrase);
  });
});

describe('formatting', () => {
  it('interpolates and leaves an unknown placeholder visible', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(translator('fr')('pricing.perMonth', { price: formatMoney('fr', 999, 'eur') })).toBe(
      '9,99\u00a0€ / mois',
    );
  });
  it('money in minor units, with the currency’s own decimals', () => {
    expect(formatMoney('en', 999, 'eur')).toBe('€9.99');
    expect(formatMoney('en', 1200, 'jpy')).toBe('JP¥1,200');
  });
  it('picks French for any fr tag, English otherwise', () => {
    expect(localeFromTag('fr-CA')).toBe('fr');
    expect(localeFromTag('de-DE')).toBe('en');
    expect(localeFromTag(undefined)).toBe('en');
  });
  it('numbers and clock', () => {
    expect(formatNumber('fr', -14.04)).toBe('-14,0');
    expect(formatNumber('en', Number.NEGATIVE_INFINITY)).toBeNull();
    expect(formatClock(75.25)).toBe('1:15.3');
  });
});

describe('seconds as typed', () => {
  it('reads either decimal mark, a trailing s, and minutes:seconds', () => {
    expect(parseSeconds('1.5')).toBe(1.5);
    expect(parseSeconds('1,5')).toBe(1.5);
    expect(parseSeconds(' 2 s')).toBe(2);
    expect(parseSeconds(',25')).toBe(0.25);
    expect(parseSeconds('1:02.5')).toBe(62.5);
    expect(parseSeconds('0')).toBe(0);
  });
  it('refuses what is not a time', () => {
    for (const text of ['', ' ', '-1', 'abc', '1:75', '1.2.3', '1e3', 'Infinity'])
      expect(parseSeconds(text)).toBeNull();
  });
});
