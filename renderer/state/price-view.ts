import type { PlanPrice } from '../../contracts/api';
import type { Locale } from '../../contracts/bridge';
import type { BillingInterval } from '../../contracts/plan';
import { formatMoney } from '../i18n';
import type { Text } from './text';

export type PriceView = {
  priceId: string;
  amount: string;
  perPeriod: Text;
  /** For the annual price: what a month costs, and the saving against twelve monthly payments. */
  monthlyEquivalent: Text | null;
  saving: Text | null;
};

/** Picks the Pro price of an interval; several products would be odd, so the first one wins. */
export function priceFor(prices: readonly PlanPrice[], interval: BillingInterval): PlanPrice | null {
  return prices.find((p) => p.interval === interval) ?? null;
}

/** The annual saving in percent (whole) and minor units, when both prices share a currency. */
export function annualSaving(
  monthly: PlanPrice,
  annual: PlanPrice,
): { percent: number; amount: number } | null {
  if (monthly.currency.toLowerCase() !== annual.currency.toLowerCase()) return null;
  const twelve = monthly.unitAmount * 12;
  const amount = twelve - annual.unitAmount;
  if (twelve <= 0 || amount <= 0) return null;
  return { percent: Math.round((amount / twelve) * 100), amount };
}

export function priceView(
  prices: readonly PlanPrice[],
  interval: BillingInterval,
  locale: Locale,
): PriceView | null {
  const price = priceFor(prices, interval);
  if (!price) return null;
  const amount = formatMoney(locale, price.unitAmount, price.currency);
  if (interval === 'month') {
    return {
      priceId: price.id,
      amount,
      perPeriod: { key: 'pricing.perMonth', params: { price: amount } },
      monthlyEquivalent: null,
      saving: null,
    };
  }
  const monthly = priceFor(prices, 'month');
  const saving = monthly ? annualSaving(monthly, price) : null;
  return {
    priceId: price.id,
    amount,
    perPeriod: { key: 'pricing.perYear', params: { price: amount } },
    monthlyEquivalent: {
      key: 'pricing.equivalent',
      params: { price: formatMoney(locale, Math.round(price.unitAmount / 12), price.currency) },
    },
    saving: saving
      ? {
          key: 'pricing.annualSaving',
          params: { percent: saving.percent, amount: formatMoney(locale, saving.amount, price.currency) },
        }
      : null,
  };
}
