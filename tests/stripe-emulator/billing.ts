import type { Core } from './core';
import { render, type StripeObject } from './store';

const DAY = 86400;
/** After a failed renewal Stripe retries; here after 3 and 5 more days, then the subscription ends. */
export const RETRY_DAYS = [3, 5] as const;

export type CardBehavior = 'pays' | 'fails_at_renewal';

/** One period after `from`: calendar months/years, as Stripe bills. */
export function addInterval(from: number, interval: string, count = 1): number {
  const d = new Date(from * 1000);
  if (interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + count);
  else if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + count);
  else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7 * count);
  else d.setUTCDate(d.getUTCDate() + count);
  return Math.floor(d.getTime() / 1000);
}

function item(sub: StripeObject): Record<string, unknown> {
  return (sub.items as { data: Record<string, unknown>[] }).data[0] as Record<string, unknown>;
}

function priceOf(sub: StripeObject): Record<string, unknown> {
  return item(sub).price as Record<string, unknown>;
}

export function periodEnd(sub: StripeObject): number {
  return item(sub).current_period_end as number;
}

/** A new subscription on one price, active and paid for its first period. */
export function createPaidSubscription(
  core: Core,
  opts: { customer: string; price: StripeObject; metadata: Record<string, string>; card: CardBehavior },
): { subscription: StripeObject; invoice: StripeObject } {
  const now = core.nowFor(opts.customer);
  const recurring = opts.price.recurring as { interval: string; interval_count: number };
  const end = addInterval(now, recurring.interval, recurring.interval_count);
  const sub = core.store.insert({
    ...core.base('subscription', now),
    application: null,
    billing_cycle_anchor: now,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    currency: opts.price.currency,
    customer: opts.customer,
    default_payment_method: null,
    description: null,
    discounts: [],
    ended_at: null,
    items: { object: 'list', data: [] as unknown[], has_more: false, total_count: 1, url: '' },
    latest_invoice: null,
    metadata: opts.metadata,
    pause_collection: null,
    start_date: now,
    status: 'active',
    test_clock: (core.store.get(opts.customer)?.test_clock as string | null) ?? null,
    trial_end: null,
    trial_start: null,
    _card: opts.card,
    _retry_at: null,
  });
  const subItem = {
    ...core.base('subscription_item', now),
    current_period_start: now,
    current_period_end: end,
    discounts: [],
    metadata: {},
    price: render(opts.price),
    quantity: 1,
    subscription: sub.id,
    tax_rates: [],
  };
  sub.items = {
    object: 'list',
    data: [subItem],
    has_more: false,
    total_count: 1,
    url: `/v1/subscription_items?subscription=${sub.id}`,
  };
  const invoice = createInvoice(core, sub, 'subscription_create', now, end, true);
  return { subscription: sub, invoice };
}

function createInvoice(
  core: Core,
  sub: StripeObject,
  reason: string,
  start: number,
  end: number,
  paid: boolean,
): StripeObject {
  const price = priceOf(sub);
  const amount = price.unit_amount as number;
  const at = core.nowFor(sub.customer as string);
  const customer = core.store.get(sub.customer as string);
  const invoice = core.store.insert({
    ...core.base('invoice', at),
    amount_due: amount,
    amount_paid: paid ? amount : 0,
    amount_remaining: paid ? 0 : amount,
    attempt_count: 1,
    attempted: true,
    billing_reason: reason,
    collection_method: 'charge_automatically',
    currency: price.currency,
    customer: sub.customer,
    customer_email: customer?.email ?? null,
    hosted_invoice_url: `${core.baseUrl()}/i/${sub.id}`,
    lines: {
      object: 'list',
      data: [
        {
          id: `il_${sub.id.slice(4)}_${start}`,
          object: 'line_item',
          amount,
          currency: price.currency,
          description: `1 × ${price.nickname ?? 'subscription'}`,
          period: { start, end },
          pricing: { price_details: { price: price.id, product: price.product }, type: 'price_details' },
          quantity: 1,
        },
      ],
      has_more: false,
      url: '',
    },
    metadata: {},
    next_payment_attempt: null,
    number: null,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: sub.metadata, subscription: sub.id },
    },
    period_end: end,
    period_start: start,
    status: paid ? 'paid' : 'open',
    status_transitions: { finalized_at: at, paid_at: paid ? at : null, voided_at: null },
    subtotal: amount,
    test_clock: sub.test_clock,
    total: amount,
  });
  sub.latest_invoice = invoice.id;
  return invoice;
}

/** Ends a subscription now, with `customer.subscription.deleted`. */
export function endSubscription(core: Core, sub: StripeObject, reason: string): void {
  const at = core.nowFor(sub.customer as string);
  const previous = { status: sub.status };
  sub.status = 'canceled';
  sub.canceled_at ??= at;
  sub.ended_at = at;
  sub.cancellation_details = { comment: null, feedback: null, reason };
  core.emit('customer.subscription.deleted', sub, previous, at);
}

/**
 * Everything due by now for one customer's subscriptions (or all): renewals at period end,
 * cancellations at period end, retries of failed renewals. Loops, since advancing a year crosses
 * twelve monthly periods.
 */
export function runDueWork(core: Core, onlyCustomers?: Set<string>): void {
  for (let guard = 0; guard < 1000; guard++) {
    let acted = false;
    for (const sub of core.store.all('subscription').reverse()) {
      if (onlyCustomers && !onlyCustomers.has(sub.customer as string)) continue;
      if (sub.status === 'canceled' || sub.status === 'incomplete_expired') continue;
      const now = core.nowFor(sub.customer as string);
      if (sub.status === 'past_due' && sub._retry_at !== null && (sub._retry_at as number) <= now) {
        retryRenewal(core, sub);
        acted = true;
      } else if (periodEnd(sub) <= now && sub.status !== 'past_due') {
        renew(core, sub);
        acted = true;
      } else if (sub.status === 'past_due' && periodEnd(sub) <= now && sub._retry_at === null) {
        renew(core, sub);
        acted = true;
      }
    }
    for (const session of core.store.all('checkout.session')) {
      if (session.status === 'open' && (session.expires_at as number) <= core.now()) {
        session.status = 'expired';
        core.emit('checkout.session.expired', session);
        acted = true;
      }
    }
    if (!acted) return;
  }
}

function renew(core: Core, sub: StripeObject): void {
  if (sub.cancel_at_period_end) {
    endSubscription(core, sub, 'cancellation_requested');
    return;
  }
  const it = item(sub);
  const recurring = (it.price as Record<string, unknown>).recurring as {
    interval: string;
    interval_count: number;
  };
  const start = it.current_period_end as number;
  const end = addInterval(start, recurring.interval, recurring.interval_count);
  const previous = {
    items: render(sub.items),
    status: sub.status,
    latest_invoice: sub.latest_invoice,
  };
  // Stripe starts the new period when it invoices it, whether or not the payment goes through.
  it.current_period_start = start;
  it.current_period_end = end;
  const pays = sub._card !== 'fails_at_renewal';
  const invoice = createInvoice(core, sub, 'subscription_cycle', start, end, pays);
  if (pays) {
    sub.status = 'active';
    core.emit('invoice.paid', invoice);
  } else {
    sub.status = 'past_due';
    sub._retry_at = core.nowFor(sub.customer as string) + (RETRY_DAYS[0] as number) * DAY;
    invoice.next_payment_attempt = sub._retry_at;
    core.emit('invoice.payment_failed', invoice);
  }
  core.emit('customer.subscription.updated', sub, previous);
}

function retryRenewal(core: Core, sub: StripeObject): void {
  const invoice = core.store.get(sub.latest_invoice as string) as StripeObject;
  invoice.attempt_count = (invoice.attempt_count as number) + 1;
  const retriesDone = (invoice.attempt_count as number) - 1;
  const nextDelay = RETRY_DAYS[retriesDone];
  if (nextDelay !== undefined) {
    sub._retry_at = core.nowFor(sub.customer as string) + nextDelay * DAY;
    invoice.next_payment_attempt = sub._retry_at;
    core.emit('invoice.payment_failed', invoice);
    return;
  }
  // Retries exhausted: the invoice stays unpaid and the subscription ends (Stripe's default setting).
  invoice.next_payment_attempt = null;
  sub._retry_at = null;
  core.emit('invoice.payment_failed', invoice);
  endSubscription(core, sub, 'payment_failed');
}
