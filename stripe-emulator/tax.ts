// Stripe Tax, as far as a seller of one digital subscription in the EU meets it: a fixed table of
// standard VAT rates by the customer's country, a price's `tax_behavior` (inclusive: the amount the
// buyer pays never changes; exclusive: tax is added, https://docs.stripe.com/payments/checkout/taxes),
// reverse charge for an EU business that gave a VAT number, and TaxRate objects the invoices name.
import type { Core } from './core';
import type { StripeObject } from './store';

/** The emulated account's country: VAT registered there, and via OSS for the rest of the EU. */
export const SELLER_COUNTRY = 'IE';

/** Standard VAT rates in basis points (2000 = 20 %), by ISO country code. */
export const EU_VAT_RATES: Readonly<Record<string, number>> = {
  AT: 2000,
  BE: 2100,
  DE: 1900,
  DK: 2500,
  ES: 2100,
  FI: 2550,
  FR: 2000,
  IE: 2300,
  IT: 2200,
  LU: 1700,
  NL: 2100,
  PL: 2300,
  PT: 2300,
  SE: 2500,
};

/** The countries the hosted pages offer: the EU table and a few where the seller collects no tax. */
export const COUNTRIES: Readonly<Record<string, string>> = {
  AT: 'Austria',
  BE: 'Belgium',
  DE: 'Germany',
  DK: 'Denmark',
  ES: 'Spain',
  FI: 'Finland',
  FR: 'France',
  IE: 'Ireland',
  IT: 'Italy',
  LU: 'Luxembourg',
  NL: 'Netherlands',
  PL: 'Poland',
  PT: 'Portugal',
  SE: 'Sweden',
  CH: 'Switzerland',
  GB: 'United Kingdom',
  NO: 'Norway',
  US: 'United States',
  CA: 'Canada',
  JP: 'Japan',
};

export type TaxBehavior = 'inclusive' | 'exclusive';

/**
 * An integer division rounded to the nearest unit, halves up: Stripe rounds each line's tax to the
 * nearest cent, 0.5 up ("We round to the nearest unit (e.g., cents) … if the fee is 0.025, we'll round
 * up to 0.03", with a per-line tax table, https://support.stripe.com/questions/rounding-rules-for-stripe-fees).
 */
function divideRoundingHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * An amount split into net and tax at `rateBp`. Inclusive: the tax is the amount × rate / (1 + rate),
 * rounded, and the net what is left (9.99 EUR at 20 %: 1.665 → 1.67 tax, 8.32 net). Exclusive: the
 * tax is the amount × rate, rounded, on top.
 */
export function splitTax(
  amount: number,
  rateBp: number,
  behavior: TaxBehavior,
): { net: number; tax: number; total: number } {
  if (behavior === 'inclusive') {
    const tax = divideRoundingHalfUp(amount * rateBp, 10_000 + rateBp);
    return { net: amount - tax, tax, total: amount };
  }
  const tax = divideRoundingHalfUp(amount * rateBp, 10_000);
  return { net: amount, tax, total: amount + tax };
}

export type TaxId = { type: string; value: string };

/** An EU VAT number as Stripe's `eu_vat` accepts it: the country prefix (EL for Greece) and 2–12 characters. */
export function normalizeVatNumber(input: string): string | null {
  const value = input.replace(/[\s.-]/g, '').toUpperCase();
  return /^[A-Z]{2}[0-9A-Z+*]{2,12}$/.test(value) ? value : null;
}

export type TaxOutcome = {
  behavior: TaxBehavior;
  rateBp: number;
  reason: 'standard_rated' | 'reverse_charge' | 'not_collecting';
  net: number;
  tax: number;
  total: number;
  country: string;
};

/**
 * The tax on `amount` for a customer in `country`: the country's standard rate; none (reverse charge)
 * for a business in another EU country that gave a VAT number; none where the seller collects no tax.
 */
export function taxFor(
  amount: number,
  country: string,
  behavior: TaxBehavior,
  taxIds: readonly TaxId[],
): TaxOutcome {
  const rate = EU_VAT_RATES[country];
  const reverse = rate !== undefined && country !== SELLER_COUNTRY && taxIds.some((t) => t.type === 'eu_vat');
  if (rate === undefined || reverse) {
    return {
      behavior,
      rateBp: 0,
      reason: reverse ? 'reverse_charge' : 'not_collecting',
      net: amount,
      tax: 0,
      total: amount,
      country,
    };
  }
  return { behavior, rateBp: rate, reason: 'standard_rated', ...splitTax(amount, rate, behavior), country };
}

/** The TaxRate object a tax names (Stripe creates and reuses one per jurisdiction and rate). */
export function taxRateFor(core: Core, outcome: TaxOutcome): StripeObject {
  const inclusive = outcome.behavior === 'inclusive';
  const percentage = outcome.rateBp / 100;
  const found = core.store
    .all('tax_rate')
    .find((r) => r.country === outcome.country && r.inclusive === inclusive && r.percentage === percentage);
  if (found) return found;
  return core.store.insert({
    ...core.base('tax_rate'),
    active: false,
    country: outcome.country,
    description: null,
    display_name: 'VAT',
    effective_percentage: percentage,
    flat_amount: null,
    inclusive,
    jurisdiction: COUNTRIES[outcome.country] ?? outcome.country,
    jurisdiction_level: 'country',
    metadata: {},
    percentage,
    rate_type: 'percentage',
    state: null,
    tax_type: 'vat',
  });
}

/** The `taxes[]` entry of a line (and of `total_taxes`) for an outcome. */
export function taxEntry(core: Core, outcome: TaxOutcome): Record<string, unknown> {
  return {
    amount: outcome.tax,
    tax_behavior: outcome.behavior,
    tax_rate_details: { tax_rate: taxRateFor(core, outcome).id },
    taxability_reason: outcome.reason,
    taxable_amount: outcome.net,
    type: 'tax_rate_details',
  };
}
