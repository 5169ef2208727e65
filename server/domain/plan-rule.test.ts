import { describe, expect, it } from 'vitest';
import type { Plan, SubscriptionStatus } from '../../contracts/plan';
import { decidingSubscription, planAfterSync } from './plan-rule';

const rules = { configuredPrices: ['price_m', 'price_y'], pastDueKeepsPro: true };

describe('planAfterSync', () => {
  it.each<[Plan, SubscriptionStatus | null, string | null, boolean, Plan]>([
    ['free', 'active', 'price_m', true, 'pro'],
    ['free', 'trialing', 'price_y', true, 'pro'],
    ['pro', 'past_due', 'price_m', true, 'pro'],
    ['pro', 'past_due', 'price_m', false, 'free'],
    ['pro', 'canceled', 'price_m', true, 'free'],
    ['pro', 'unpaid', 'price_m', true, 'free'],
    ['pro', 'incomplete', 'price_m', true, 'free'],
    ['free', 'active', 'price_someone_else', true, 'free'],
    ['pro', null, null, true, 'free'],
    ['studio', 'canceled', 'price_m', true, 'studio'],
    ['studio', null, null, false, 'studio'],
  ])('%s + %s on %s (past_due keeps pro: %s) → %s', (current, status, priceId, pastDueKeepsPro, expected) => {
    expect(planAfterSync(current, { status, priceId }, { ...rules, pastDueKeepsPro })).toBe(expected);
  });
});

describe('decidingSubscription', () => {
  it('prefers a live subscription over a canceled one, then the later period end', () => {
    const subs = [
      { id: 'old', status: 'canceled' as const, priceId: 'price_m', currentPeriodEnd: 300 },
      { id: 'live', status: 'active' as const, priceId: 'price_y', currentPeriodEnd: 200 },
      { id: 'live-later', status: 'active' as const, priceId: 'price_y', currentPeriodEnd: 250 },
    ];
    expect(decidingSubscription(subs)?.id).toBe('live-later');
    expect(decidingSubscription([])).toBeNull();
  });
});
