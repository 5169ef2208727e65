import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { annualSaving, priceView } from './price-view';

const en = translator('en');
const fr = translator('fr');
const monthly = {
  id: 'pm',
  interval: 'month' as const,
  unitAmount: 999,
  currency: 'eur',
  productName: 'Pro',
};
const annual = { id: 'py', interval: 'year' as const, unitAmount: 9999, currency: 'eur', productName: 'Pro' };

describe('pricing', () => {
  it('formats prices as the locale writes money', () => {
    const frMonth = priceView([monthly, annual], 'month', 'fr');
    expect(frMonth && fr(frMonth.perPeriod.key, frMonth.perPeriod.params)).toBe('9,99\u00a0€ / mois');
    const enYear = priceView([monthly, annual], 'year', 'en');
    expect(enYear && en(enYear.perPeriod.key, enYear.perPeriod.params)).toBe('€99.99 / year');
    expect(enYear?.priceId).toBe('py');
  });

  it('computes the annual saving from the two prices', () => {
    expect(annualSaving(monthly, annual)).toEqual({ percent: 17, amount: 1989 });
    expect(annualSaving(monthly, { ...annual, unitAmount: 12_000 })).toBeNull();
    expect(annualSaving(monthly, { ...annual, currency: 'usd' })).toBeNull();
    const view = priceView([monthly, { ...annual, unitAmount: 9000 }], 'year', 'en');
    expect(view?.saving && en(view.saving.key, view.saving.params)).toBe('Save 25% (€29.88 a year)');
  });

  it('has no view for an interval the server does not sell', () => {
    expect(priceView([monthly], 'year', 'en')).toBeNull();
    expect(priceView([], 'month', 'en')).toBeNull();
  });
});
