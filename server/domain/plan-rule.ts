import type { Plan, SubscriptionStatus } from '../../contracts/plan';

/** What the sync read of a subscription's latest invoice. Times are Unix seconds, as Stripe sends them. */
export type InvoiceFacts = {
  id: string;
  /** draft, open, paid, uncollectible or void. */
  status: string | null;
  /** Stripe's next automatic retry; null once Smart Retries (or the custom schedule) are over. */
  nextPaymentAttempt: number | null;
  /** When the invoice was finalized and first charged: the start of a dunning period. */
  firstAttemptAt: number | null;
  /** The payment waits for the customer (3-D Secure at renewal). */
  requiresAction: boolean;
  hostedInvoiceUrl: string | null;
  amountPaid: number;
  amountRefunded: number;
};

export type SubscriptionFacts = {
  id: string;
  status: SubscriptionStatus | null;
  priceId: string | null;
  currentPeriodEnd: number | null;
  created: number;
  cancelAtPeriodEnd: boolean;
  latestInvoice: InvoiceFacts | null;
};

export type CustomerFacts = {
  /** Stripe answered `deleted: true`, or sent `customer.deleted`. */
  deleted: boolean;
  /** A dispute on one of the customer's charges that is open, or lost (money taken back). */
  disputed: boolean;
};

export type PlanRules = {
  configuredPrices: readonly string[];
  /** The operator's switch: whether past_due keeps Pro at all while Stripe retries. */
  pastDueKeepsPro: boolean;
  /** The most days past_due keeps Pro after the first failed payment, retries or not. */
  pastDueGraceDays: number;
};

export type PlanReason =
  | 'operator'
  | 'active'
  | 'trialing'
  | 'past_due_retrying'
  | 'past_due_retries_over'
  | 'past_due_grace_over'
  | 'past_due_not_kept'
  | 'ended'
  | 'not_our_price'
  | 'no_subscription'
  | 'refunded'
  | 'disputed'
  | 'customer_deleted'
  | 'complimentary';

/** What the app should ask of the musician, if anything. */
export type Attention =
  | { kind: 'payment_failed'; until: number | null }
  | { kind: 'action_required'; url: string | null };

export type PlanDecision = { plan: Plan; reason: PlanReason; attention: Attention | null };

const DAY = 86_400;

/**
 * The plan a Stripe sync writes, with the reason (kept for the operator) and what the app must tell
 * the musician. Dunning follows Stripe: while an invoice is past due Stripe retries it on the
 * schedule set in the Dashboard, and `next_payment_attempt` is null once no retry is left
 * (https://docs.stripe.com/billing/revenue-recovery/smart-retries). past_due keeps Pro only while a
 * retry is still to come and for at most `pastDueGraceDays` after the first failed attempt.
 * `studio` is an operator's decision: a sync never lowers it.
 */
export function decidePlan(
  current: Plan,
  sub: SubscriptionFacts | null,
  customer: CustomerFacts,
  rules: PlanRules,
  now: number,
): PlanDecision {
  if (current === 'studio') return { plan: 'studio', reason: 'operator', attention: null };
  const free = (reason: PlanReason, attention: Attention | null = null): PlanDecision => ({
    plan: 'free',
    reason,
    attention,
  });
  if (customer.deleted) return free('customer_deleted');
  if (!sub?.status) return free('no_subscription');
  if (!sub.priceId || !rules.configuredPrices.includes(sub.priceId)) return free('not_our_price');
  if (customer.disputed) return free('disputed');
  const invoice = sub.latestInvoice;
  if (invoice && invoice.amountPaid > 0 && invoice.amountRefunded >= invoice.amountPaid)
    return free('refunded');
  const needsAction: Attention | null =
    invoice?.requiresAction && invoice.status === 'open'
      ? { kind: 'action_required', url: invoice.hostedInvoiceUrl }
      : null;
  switch (sub.status) {
    case 'active':
      return { plan: 'pro', reason: 'active', attention: needsAction };
    case 'trialing':
      return { plan: 'pro', reason: 'trialing', attention: needsAction };
    case 'past_due': {
      if (!rules.pastDueKeepsPro) return free('past_due_not_kept', needsAction);
      const graceEnd =
        invoice?.firstAttemptAt != null ? invoice.firstAttemptAt + rules.pastDueGraceDays * DAY : null;
      if (!invoice || invoice.nextPaymentAttempt === null) return free('past_due_retries_over', needsAction);
      if (graceEnd === null || now >= graceEnd) return free('past_due_grace_over', needsAction);
      return {
        plan: 'pro',
        reason: 'past_due_retrying',
        attention: needsAction ?? { kind: 'payment_failed', until: graceEnd },
      };
    }
    default:
      // unpaid, paused, incomplete, incomplete_expired, canceled: nothing is being paid for.
      return free('ended', sub.status === 'incomplete' ? needsAction : null);
  }
}

const LIVE: ReadonlySet<string> = new Set<SubscriptionStatus>(['active', 'trialing', 'past_due']);

/** A subscription someone is paying for (or Stripe is still retrying): a second one is surplus. */
export function isLive(status: string | null): boolean {
  return status !== null && LIVE.has(status);
}
const RANK: Record<SubscriptionStatus, number> = {
  active: 6,
  trialing: 5,
  past_due: 4,
  unpaid: 3,
  paused: 2,
  incomplete: 1,
  incomplete_expired: 0,
  canceled: 0,
};

type Ranked = Pick<SubscriptionFacts, 'id' | 'status' | 'currentPeriodEnd' | 'created'>;

/**
 * One live subscription per customer. When several are live (several Checkout pages paid, or a race
 * across servers), the first one created is kept and the others are surplus: cancelled and refunded.
 * Every server picks the same keeper, so two reconciling at once agree.
 */
export function surplusSubscriptions<T extends Ranked>(subs: readonly T[]): { keep: T | null; surplus: T[] } {
  const live = subs
    .filter((s) => isLive(s.status))
    .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  if (live.length === 0) return { keep: decidingSubscription(subs), surplus: [] };
  return { keep: live[0] as T, surplus: live.slice(1) };
}

/** Of a customer's subscriptions, the one that decides: the best status, then the latest period end. */
export function decidingSubscription<T extends Ranked>(subs: readonly T[]): T | null {
  return (
    [...subs].sort(
      (a, b) =>
        (b.status ? RANK[b.status] : -1) - (a.status ? RANK[a.status] : -1) ||
        (b.currentPeriodEnd ?? 0) - (a.currentPeriodEnd ?? 0),
    )[0] ?? null
  );
}

/**
 * Complimentary Pro (an operator's gift until a date) lifts a sync's Free to Pro while it lasts;
 * it never lowers what Stripe or the operator decided.
 */
export function withComplimentary(decision: PlanDecision, until: string | null, now: Date): PlanDecision {
  if (decision.plan !== 'free' || !until || new Date(until) <= now) return decision;
  return { plan: 'pro', reason: 'complimentary', attention: null };
}
