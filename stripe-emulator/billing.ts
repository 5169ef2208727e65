import { addInterval, nextBoundary } from './clock';
import type { Core } from './core';
import {
  collectInvoice,
  draftInvoice,
  finalizeInvoice,
  RETRY_DAYS,
  settleEmptyInvoice,
  voidInvoice,
} from './invoicing';
import type { AttemptOutcome, PaymentContext } from './payments';
import { render, type StripeObject } from './store';

export { RETRY_DAYS };
const DAY = 86_400;
/** `customer.subscription.trial_will_end` comes this long before a trial ends (or at once for a shorter trial). */
const TRIAL_WILL_END_BEFORE = 3 * DAY;

export type CardBehavior = 'pays' | 'fails_at_renewal' | 'declined' | 'authentication_required';
/**
 * How the first invoice is collected: on Checkout (the customer is there and completes 3-D Secure), or
 * over the API with Stripe's `payment_behavior` (`default_incomplete` leaves it for the customer to pay).
 */
export type FirstPayment = 'checkout' | 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete';

/** An incomplete subscription whose first payment never succeeds expires after 23 hours, as on Stripe. */
export const INCOMPLETE_TTL = 23 * 3600;

/** The legacy `plan` Stripe still puts on subscription items, mirrored from the price. */
function planOf(price: StripeObject): Record<string, unknown> {
  const recurring = price.recurring as { interval: string; interval_count: number };
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

function item(sub: StripeObject): Record<string, unknown> {
  return (sub.items as { data: Record<string, unknown>[] }).data[0] as Record<string, unknown>;
}

export function periodEnd(sub: StripeObject): number {
  return item(sub).current_period_end as number;
}

/**
 * A new subscription on one price. It starts `incomplete` (or `trialing`) and its first invoice is
 * drafted, finalized and collected at once: paid, it becomes `active`; declined or waiting for 3-D
 * Secure, it stays `incomplete` until paid or expired 23 hours later. Checkout creates the subscription
 * only when the customer pays on its page, so a Checkout subscription is active when the session completes.
 */
export function createSubscription(
  core: Core,
  opts: {
    customer: string;
    price: StripeObject;
    metadata: Record<string, string>;
    card: CardBehavior;
    firstPayment: FirstPayment;
    trialDays?: number;
    cancelAtPeriodEnd?: boolean;
  },
): { subscription: StripeObject; invoice: StripeObject } {
  const now = core.nowFor(opts.customer);
  const recurring = opts.price.recurring as { interval: string; interval_count: number };
  const trialEnd = opts.trialDays ? now + opts.trialDays * DAY : null;
  const end = trialEnd ?? addInterval(now, recurring.interval, recurring.interval_count);
  const sub = core.store.insert({
    ...core.base('subscription', now),
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: end === trialEnd ? trialEnd : now,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic', updated_at: now },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: opts.cancelAtPeriodEnd ? end : null,
    cancel_at_period_end: opts.cancelAtPeriodEnd ?? false,
    canceled_at: opts.cancelAtPeriodEnd ? now : null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    currency: opts.price.currency,
    customer: opts.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    managed_payments: null,
    items: { object: 'list', data: [] as unknown[], has_more: false, url: '' },
    latest_invoice: null,
    metadata: opts.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: trialEnd ? 'trialing' : 'incomplete',
    test_clock: (core.store.get(opts.customer)?.test_clock as string | null) ?? null,
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: {
      end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
    },
    trial_start: trialEnd ? now : null,
    _trial_will_end_sent: false,
  });
  const { livemode: _omitted, ...itemBase } = core.base('subscription_item', now);
  const subItem = {
    ...itemBase,
    billing_thresholds: null,
    current_period_start: now,
    current_period_end: end,
    // Set by trial offers, which the emulator does not have; a `trial_period_days` trial leaves it null.
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: planOf(opts.price),
    price: render(opts.price),
    quantity: 1,
    subscription: sub.id,
    tax_rates: [],
  };
  sub.items = {
    object: 'list',
    data: [subItem],
    has_more: false,
    url: `/v1/subscription_items?subscription=${sub.id}`,
  };
  core.emit('customer.subscription.created', sub, undefined, now);
  const amount = trialEnd ? 0 : (opts.price.unit_amount as number);
  const invoice = draftInvoice(core, sub, 'subscription_create', { start: now, end }, amount, now);
  finalizeInvoice(core, invoice, now);
  if (amount === 0) settleEmptyInvoice(core, invoice, now);
  else if (opts.firstPayment !== 'default_incomplete') {
    const context: PaymentContext = opts.firstPayment === 'checkout' ? 'customer_present' : 'api';
    collectInvoice(core, invoice, opts.card, context, now, false);
  }
  activateIfSettled(core, sub, now);
  return { subscription: sub, invoice };
}

/** After its latest invoice is paid, an incomplete, past_due or unpaid subscription is active again. */
export function activateIfSettled(core: Core, sub: StripeObject, at: number): void {
  const latest = sub.latest_invoice ? core.store.get(sub.latest_invoice as string) : undefined;
  if (latest?.status !== 'paid') return;
  if (!['incomplete', 'past_due', 'unpaid'].includes(sub.status as string)) return;
  const previous = { status: sub.status };
  sub.status = 'active';
  core.emit('customer.subscription.updated', sub, previous, at);
}

/** The subscription an invoice bills. */
export function subscriptionOf(core: Core, invoice: StripeObject): StripeObject | undefined {
  const id = (invoice.parent as { subscription_details?: { subscription?: string } } | null)
    ?.subscription_details?.subscription;
  return id ? core.store.get(id) : undefined;
}

/**
 * Pays an open invoice now: with the customer present on the hosted invoice page (who completes a 3-D
 * Secure challenge there), or off session (`invoices.pay`). Paid, its subscription is active again; the
 * invoice's retry schedule is left as it was either way.
 */
export function payInvoiceNow(
  core: Core,
  invoice: StripeObject,
  card: CardBehavior,
  context: 'customer_present' | 'off_session',
): AttemptOutcome {
  const at = core.nowFor(invoice.customer as string);
  const outcome = collectInvoice(core, invoice, card, context, at, false);
  const sub = subscriptionOf(core, invoice);
  if (outcome === 'succeeded' && sub) activateIfSettled(core, sub, at);
  return outcome;
}

/** The card the customer pays with now (a customer may change it while a renewal is failing). */
export function customerCard(core: Core, customerId: string): CardBehavior {
  return (core.store.get(customerId)?._card as CardBehavior | undefined) ?? 'pays';
}

/**
 * Moves the one item to another recurring price. The same interval keeps the period; another interval
 * restarts the billing cycle now and charges the new price at once, as Stripe does (no proration here).
 */
export function changePrice(core: Core, sub: StripeObject, price: StripeObject): void {
  const it = item(sub);
  const from = (it.price as Record<string, unknown>).recurring as {
    interval: string;
    interval_count: number;
  };
  const to = price.recurring as { interval: string; interval_count: number };
  it.price = render(price);
  it.plan = planOf(price);
  if (from.interval === to.interval && from.interval_count === to.interval_count) return;
  const now = core.nowFor(sub.customer as string);
  const end = addInterval(now, to.interval, to.interval_count);
  sub.billing_cycle_anchor = now;
  it.current_period_start = now;
  it.current_period_end = end;
  if (sub.cancel_at_period_end) sub.cancel_at = end;
  const invoice = draftInvoice(
    core,
    sub,
    'subscription_update',
    { start: now, end },
    price.unit_amount as number,
    now,
  );
  finalizeInvoice(core, invoice, now);
  const outcome = collectInvoice(core, invoice, cardOf(core, sub), 'off_session', now, true);
  if (outcome === 'succeeded') activateIfSettled(core, sub, now);
  else sub.status = 'past_due';
}

/** Ends a subscription now, with `customer.subscription.deleted`. */
export function endSubscription(
  core: Core,
  sub: StripeObject,
  reason: string,
  at = core.nowFor(sub.customer as string),
): void {
  const previous = { status: sub.status };
  sub.status = 'canceled';
  sub.canceled_at ??= at;
  sub.ended_at = at;
  sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason };
  core.emit('customer.subscription.deleted', sub, previous, at);
}

const RENEWING = ['active', 'past_due', 'trialing'];

/**
 * Everything due by now for one customer's subscriptions (or all): trial reminders, renewals at period
 * end (past_due subscriptions go on invoicing each period, as on Stripe), cancellations at period end,
 * retries of open invoices, expiry of incomplete subscriptions and of Checkout sessions. Loops, since
 * advancing a year crosses twelve monthly periods; each step happens as of the moment it was due.
 */
export function runDueWork(core: Core, onlyCustomers?: Set<string>): void {
  const mine = (o: StripeObject) => !onlyCustomers || onlyCustomers.has(o.customer as string);
  for (let guard = 0; guard < 5000; guard++) {
    // The earliest due step of all, so that events keep the order of the times they carry.
    let next: { at: number; run: () => void } | null = null;
    const consider = (at: number, run: () => void) => {
      if (!next || at < next.at) next = { at, run };
    };
    for (const sub of core.store.all('subscription').reverse()) {
      if (!mine(sub)) continue;
      const now = core.nowFor(sub.customer as string);
      if (sub.status === 'incomplete' && sub.created + INCOMPLETE_TTL <= now)
        consider(sub.created + INCOMPLETE_TTL, () => expireIncomplete(core, sub));
      if (sub.status === 'trialing' && !sub._trial_will_end_sent) {
        const at = Math.max(sub.created, (sub.trial_end as number) - TRIAL_WILL_END_BEFORE);
        if (at <= now)
          consider(at, () => {
            sub._trial_will_end_sent = true;
            core.emit('customer.subscription.trial_will_end', sub, undefined, at);
          });
      }
      if (RENEWING.includes(sub.status as string) && periodEnd(sub) <= now)
        consider(periodEnd(sub), () => renew(core, sub));
    }
    for (const invoice of core.store.all('invoice')) {
      if (!mine(invoice) || invoice.status !== 'open' || invoice._retry_at === null) continue;
      const at = invoice._retry_at as number;
      if (at <= core.nowFor(invoice.customer as string)) consider(at, () => retryInvoice(core, invoice, at));
    }
    for (const session of core.store.all('checkout.session')) {
      if (!mine(session)) continue;
      const now = core.nowFor(session.customer as string | null);
      if (session.status === 'open' && (session.expires_at as number) <= now)
        consider(session.expires_at as number, () => {
          session.status = 'expired';
          session.url = null;
          core.emit('checkout.session.expired', session, { status: 'open' }, session.expires_at as number);
        });
    }
    const due = next as { at: number; run: () => void } | null;
    if (!due) return;
    due.run();
  }
}

function expireIncomplete(core: Core, sub: StripeObject): void {
  const at = sub.created + INCOMPLETE_TTL;
  sub.status = 'incomplete_expired';
  sub.ended_at = at;
  const invoice = sub.latest_invoice ? core.store.get(sub.latest_invoice as string) : undefined;
  if (invoice && invoice.status === 'open') voidInvoice(core, invoice, at);
  core.emit('customer.subscription.deleted', sub, { status: 'incomplete' }, at);
}

function cardOf(core: Core, sub: StripeObject): CardBehavior {
  return customerCard(core, sub.customer as string);
}

/**
 * The renewal due at the period end (or the end of a trial): a new period, its invoice collected off
 * session. A failed payment or a 3-D Secure challenge makes the subscription `past_due`.
 */
function renew(core: Core, sub: StripeObject): void {
  const it = item(sub);
  const start = it.current_period_end as number;
  if (sub.cancel_at_period_end) {
    endSubscription(core, sub, 'cancellation_requested', start);
    return;
  }
  const recurring = (it.price as Record<string, unknown>).recurring as {
    interval: string;
    interval_count: number;
  };
  const end = nextBoundary(
    sub.billing_cycle_anchor as number,
    recurring.interval,
    recurring.interval_count,
    start,
  );
  const previous = {
    items: render(sub.items),
    status: sub.status,
    latest_invoice: sub.latest_invoice,
  };
  // Stripe starts the new period when it invoices it, whether or not the payment goes through.
  it.current_period_start = start;
  it.current_period_end = end;
  const amount = (it.price as Record<string, unknown>).unit_amount as number;
  const invoice = draftInvoice(core, sub, 'subscription_cycle', { start, end }, amount, start);
  finalizeInvoice(core, invoice, start);
  const outcome = collectInvoice(core, invoice, cardOf(core, sub), 'off_session', start, true);
  sub.status = outcome === 'succeeded' ? 'active' : 'past_due';
  core.emit('customer.subscription.updated', sub, previous, start);
}

/**
 * A scheduled retry of an open invoice: paid, its subscription is active again; after the last failed
 * retry the subscription ends (Stripe's default setting), is marked unpaid, or stays past_due, as the
 * emulator's setting says. The invoice stays open either way.
 */
function retryInvoice(core: Core, invoice: StripeObject, at: number): void {
  const sub = subscriptionOf(core, invoice);
  const outcome = collectInvoice(core, invoice, sub ? cardOf(core, sub) : 'pays', 'off_session', at, true);
  if (!sub || ['canceled', 'incomplete_expired'].includes(sub.status as string)) return;
  if (outcome === 'succeeded') {
    activateIfSettled(core, sub, at);
    return;
  }
  if (invoice._retry_at !== null || sub.latest_invoice !== invoice.id) return;
  if (core.afterFailedRetries === 'cancel') endSubscription(core, sub, 'payment_failed', at);
  else if (core.afterFailedRetries === 'unpaid') {
    const previous = { status: sub.status };
    sub.status = 'unpaid';
    core.emit('customer.subscription.updated', sub, previous, at);
  }
}
