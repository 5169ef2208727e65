import type { Locale } from '../../contracts/bridge';
import { en, type MessageKey, type Messages } from './en';
import { fr } from './fr';

export type { MessageKey, Messages };
export const catalogues: Record<Locale, Messages> = { en, fr };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** Fills `{name}` placeholders; a placeholder without a value stays visible so the gap is noticed. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function translator(locale: Locale): Translate {
  const messages = catalogues[locale];
  return (key, params) => interpolate(messages[key], params);
}

/** The app's locale from a BCP 47 tag of the system: French for any fr-*, English otherwise. */
export function localeFromTag(tag: string | undefined): Locale {
  return tag?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

const intlTag: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR' };

/** An amount in the currency's smallest unit, as the locale writes money (9,99 € in French). */
export function formatMoney(locale: Locale, minorUnits: number, currency: string): string {
  const format = new Intl.NumberFormat(intlTag[locale], {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}

export function formatDate(locale: Locale, iso: string): string {
  return new Intl.DateTimeFormat(intlTag[locale], {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(iso));
}

/** A number with one decimal in the locale's notation; −∞ (silence) and null show as a dash. */
export function formatNumber(locale: Locale, value: number | null, digits = 1): string | null {
  if (value === null || !Number.isFinite(value)) return null;
  return new Intl.NumberFormat(intlTag[locale], {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    signDisplay: 'auto',
  }).format(value);
}

/**
 * Seconds as a musician types them, in either language: "1.5" or "1,5", or minutes and seconds
 * "1:02.5". Null for anything else (empty, negative, not a number).
 */
export function parseSeconds(text: string): number | null {
  const match = /^\s*(?:(\d+):)?(\d+(?:[.,]\d*)?|[.,]\d+)\s*s?\s*$/.exec(text);
  if (!match) return null;
  const minutes = match[1] === undefined ? 0 : Number(match[1]);
  const seconds = Number((match[2] as string).replace(',', '.'));
  if (match[1] !== undefined && seconds >= 60) return null;
  const value = minutes * 60 + seconds;
  return Number.isFinite(value) ? value : null;
}

/** m:ss.t for the transport. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, seconds);
  const minutes = Math.floor(s / 60);
  const rest = s - minutes * 60;
  return `${minutes}:${rest.toFixed(1).padStart(4, '0')}`;
}
