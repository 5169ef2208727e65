import { describe, expect, it } from 'vitest';
import type { Plan, SubscriptionStatus } from '../../contracts/plan';
import {
  type CustomerFacts,
  decidePlan,
  decidingSubscription,
  type InvoiceFacts,
  type PlanReason,
  type SubscriptionFacts,
  surplusSubscriptions,
} from './plan-rule';

const DAY = 86_400;
const NOW = 1_900_000_000;
const rules = { configuredPrices: ['price_m', 'price_y'], pastDueKeepsPro: true, pastDueGraceDays: 14 };
const ok: CustomerFacts = { deleted: false, disputed: false };

const paid: InvoiceFacts = {
  id: 'in_1',
  status: 'paid',
  nextPaymentAttempt: null,
  firstAttemptAt: NOW - 10 * DAY,
  requiresAction: false,
  hostedInvoiceUrl: 'https://invoice.test/in_1',
  amountPaid: 999,
  amountRefunded: 0,
};
/** A renewal whose payment failed `daysAgo` days ago, with a retry to come or none. */
const failing = (daysAgo: number, retryLeft: boolean): InvoiceFacts => ({
  ...paid,
  status: 'open',
  amountPaid: 0,
  firstAttemptAt: NOW - daysAgo * DAY,
  nextPaymentAttempt: retryLeft ? NOW + 2 * DAY : null,
});

const sub = (
  status: SubscriptionStatus | null,
  latestInvoice: InvoiceFacts | null = paid,
  priceId: string | null = 'price_m',
): SubscriptionFacts => ({
  id: 'sub_1',
  status,
  priceId,
  currentPeriodEnd: NOW + 20 * DAY,
  created: NOW - 40 * DAY,
  cancelAtPeriodEnd: false,
  latestInvoice,
});

describe('decidePlan', () => {
  it.each<[string, Plan, SubscriptionFacts | null, CustomerFacts, Partial<typeof rules>, Plan, PlanReason]>([
    ['active on our price', 'free', sub('active'), ok, {}, 'pro', 'active'],
    ['trialing', 'free', sub('trialing'), ok, {}, 'pro', 'trialing'],
    [
      'active on a price that is not ours',
      'free',
      sub('active', paid, 'price_other'),
      ok,
      {},
      'free',
      'not_our_price',
    ],
    ['no subscription', 'pro', null, ok, {}, 'free', 'no_subscription'],
    ['canceled', 'pro', sub('canceled'), ok, {}, 'free', 'ended'],
    ['unpaid', 'pro', sub('unpaid'), ok, {}, 'free', 'ended'],
    ['paused', 'pro', sub('paused'), ok, {}, 'free', 'ended'],
    [
      'incomplete (first payment not made)',
      'free',
      sub('incomplete', failing(0, true)),
      ok,
      {},
      'free',
      'ended',
    ],
    ['incomplete_expired', 'free', sub('incomplete_expired'), ok, {}, 'free', 'ended'],
    [
      'past_due, retrying, day 3',
      'pro',
      sub('past_due', failing(3, true)),
      ok,
      {},
      'pro',
      'past_due_retrying',
    ],
    [
      'past_due, retrying, day 13',
      'pro',
      sub('past_due', failing(13, true)),
      ok,
      {},
      'pro',
      'past_due_retrying',
    ],
    [
      'past_due, retrying, day 14: grace over',
      'pro',
      sub('past_due', failing(14, true)),
      ok,
      {},
      'free',
      'past_due_grace_over',
    ],
    [
      'past_due, retries over on day 5',
      'pro',
      sub('past_due', failing(5, false)),
      ok,
      {},
      'free',
      'past_due_retries_over',
    ],
    ['past_due, no invoice seen', 'pro', sub('past_due', null), ok, {}, 'free', 'past_due_retries_over'],
    [
      'past_due, operator keeps nothing',
      'pro',
      sub('past_due', failing(1, true)),
      ok,
      { pastDueKeepsPro: false },
      'free',
      'past_due_not_kept',
    ],
    [
      'past_due, 30-day grace',
      'pro',
      sub('past_due', failing(20, true)),
      ok,
      { pastDueGraceDays: 30 },
      'pro',
      'past_due_retrying',
    ],
    [
      'latest invoice fully refunded',
      'pro',
      sub('active', { ...paid, amountRefunded: 999 }),
      ok,
      {},
      'free',
      'refunded',
    ],
    [
      'latest invoice partly refunded',
      'pro',
      sub('active', { ...paid, amountRefunded: 500 }),
      ok,
      {},
      'pro',
      'active',
    ],
    [
      'a free first invoice (trial) is not "refunded"',
      'free',
      sub('trialing', { ...paid, amountPaid: 0 }),
      ok,
      {},
      'pro',
      'trialing',
    ],
    [
      'a dispute open or lost',
      'pro',
      sub('active'),
      { deleted: false, disputed: true },
      {},
      'free',
      'disputed',
    ],
    [
      'customer deleted',
      'pro',
      sub('active'),
      { deleted: true, disputed: false },
      {},
      'free',
      'customer_deleted',
    ],
    [
      'studio is never lowered',
      'studio',
      sub('canceled'),
      { deleted: true, disputed: true },
      {},
      'studio',
      'operator',
    ],
    ['studio without subscription', 'studio', null, ok, {}, 'studio', 'operator'],
  ])('%s', (_, current, subscription, customer, override, plan, reason) => {
    const decision = decidePlan(current, subscription, customer, { ...rules, ...override }, NOW);
    expect([decision.plan, decision.reason]).toEqual([plan, reason]);
  });

  it('asks a past_due musician to update the card, saying until when Pro lasts', () => {
    const decision = decidePlan('pro', sub('past_due', failing(3, true)), ok, rules, NOW);
    expect(decision.attention).toEqual({ kind: 'payment_failed', until: NOW + 11 * DAY });
  });

  it('asks a musician whose renewal needs 3-D Secure to confirm it on the hosted invoice page', () => {
    const invoice = { ...failing(1, true), requiresAction: true, hostedInvoiceUrl: 'https://invoice.test/x' };
    const decision = decidePlan('pro', sub('past_due', invoice), ok, rules, NOW);
    expect(decision).toMatchObject({
      plan: 'pro',
      attention: { kind: 'action_required', url: 'https://invoice.test/x' },
    });
  });

  it('asks nothing of an active musician with a paid invoice', () => {
    expect(decidePlan('pro', sub('active'), ok, rules, NOW).attention).toBeNull();
  });
});

describe('surplusSubscriptions', () => {
  const s = (id: string, status: SubscriptionStatus, created: number) => ({
    id,
    status,
    created,
    currentPeriodEnd: created + 30 * DAY,
  });

  it('keeps the first live subscription created and marks the others surplus', () => {
    const subs = [s('sub_c', 'active', 300), s('sub_a', 'active', 100), s('sub_b', 'trialing', 200)];
    const { keep, surplus } = surplusSubscriptions(subs);
    expect(keep?.id).toBe('sub_a');
    expect(surplus.map((x) => x.id)).toEqual(['sub_b', 'sub_c']);
  });

  it('picks the same keeper whatever the order Stripe lists them in (two servers agree)', () => {
    const subs = [s('sub_y', 'active', 100), s('sub_x', 'active', 100), s('sub_z', 'past_due', 50)];
    const a = surplusSubscriptions(subs);
    const b = surplusSubscriptions([...subs].reverse());
    expect(a.keep?.id).toBe('sub_z');
    expect(b.keep?.id).toBe('sub_z');
    expect(a.surplus.map((x) => x.id)).toEqual(b.surplus.map((x) => x.id));
  });

  it('counts an unpaid, incomplete or canceled subscription as nothing to refund', () => {
    const subs = [s('sub_a', 'active', 100), s('sub_b', 'incomplete', 200), s('sub_c', 'canceled', 50)];
    expect(surplusSubscriptions(subs).surplus).toEqual([]);
  });

  it('with no live subscription, the deciding one is kept for its status', () => {
    const subs = [s('sub_a', 'canceled', 100), s('sub_b', 'unpaid', 200)];
    expect(surplusSubscriptions(subs)).toEqual({ keep: subs[1], surplus: [] });
  });
});

describe('decidingSubscription', () => {
  it('prefers a live subscription over a canceled one, then the later period end', () => {
    const subs = [
      { id: 'old', status: 'canceled' as const, created: 1, currentPeriodEnd: 300 },
      { id: 'live', status: 'active' as const, created: 2, currentPeriodEnd: 200 },
      { id: 'live-later', status: 'active' as const, created: 3, currentPeriodEnd: 250 },
    ];
    expect(decidingSubscription(subs)?.id).toBe('live-later');
    expect(decidingSubscription([])).toBeNull();
  });
});
