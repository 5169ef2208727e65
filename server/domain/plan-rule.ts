import type { Plan, SubscriptionStatus } from '../../contracts/plan';

export type SubscriptionFacts = {
  status: SubscriptionStatus | null;
  priceId: string | null;
};

/**
 * The plan a Stripe sync writes. Active or trialing (or past_due while PAST_DUE_KEEPS_PRO) on one of
 * our configured prices is pro; anything else is free. `studio` is an operator's decision: a sync
 * never lowers it.
 */
export function planAfterSync(
  current: Plan,
  sub: SubscriptionFacts,
  rules: { configuredPrices: readonly string[]; pastDueKeepsPro: boolean },
): Plan {
  if (current === 'studio') return 'studio';
  if (!sub.status || !sub.priceId || !rules.configuredPrices.includes(sub.priceId)) return 'free';
  if (sub.status === 'active' || sub.status === 'trialing') return 'pro';
  if (sub.status === 'past_due' && rules.pastDueKeepsPro) return 'pro';
  return 'free';
}

/** Of a customer's subscriptions, the one that decides: the best status, then the latest period end. */
export function decidingSubscription<T extends SubscriptionFacts & { currentPeriodEnd: number | null }>(
  subs: readonly T[],
): T | null {
  const rank: Record<SubscriptionStatus, number> = {
    active: 6,
    trialing: 5,
    past_due: 4,
    unpaid: 3,
    paused: 2,
    incomplete: 1,
    incomplete_expired: 0,
    canceled: 0,
  };
  return (
    [...subs].sort(
      (a, b) =>
        (b.status ? rank[b.status] : -1) - (a.status ? rank[a.status] : -1) ||
        (b.currentPeriodEnd ?? 0) - (a.currentPeriodEnd ?? 0),
    )[0] ?? null
  );
}
