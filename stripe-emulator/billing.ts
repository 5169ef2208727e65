import { addInterval, nextBoundary } from './clock';
import type { Core } from './core';
import { render, type StripeObject } from './store';

const DAY = 86400;
/** After a failed renewal Stripe retries; here after 3 and 5 more days, then the subscription ends. */
export const RETRY_DAYS = [3, 5] as const;

export type CardBehavior = 'pays' | 'fails_at_renewal' | 'declined';

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

function priceOf(sub: StripeObject): Record<string, unknown> {
  return item(sub).price as Record<string, unknown>;
}

export function periodEnd(sub: StripeObject): number {
  return item(sub).current_period_end as number;
}

/**
 * A new subscription on one price, charged for its first period: `active` with a paid invoice, or,
 * when the card is declined, `incomplete` with an open invoice.
 */
export function createSubscription(
  core: Core,
  opts: { customer: string; price: StripeObject; metadata: Record<string, string>; card: CardBehavior },
): { subscription: StripeObject; invoice: StripeObject } {
  const paid = opts.card !== 'declined';
  const now = core.nowFor(opts.customer);
  const recurring = opts.price.recurring as { interval: string; interval_count: number };
  const end = addInterval(now, recurring.interval, recurring.interval_count);
  const sub = core.store.insert({
    ...core.base('subscription', now),
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: now,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
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
    invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
    managed_payments: null,
    items: { object: 'list', data: [] as unknown[], has_more: false, total_count: 1, url: '' },
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
    status: paid ? 'active' : 'incomplete',
    test_clock: (core.store.get(opts.customer)?.test_clock as string | null) ?? null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: null,
    _retry_at: null,
  });
  const { livemode: _omitted, ...itemBase } = core.base('subscription_item', now);
  const subItem = {
    ...itemBase,
    billing_thresholds: null,
    current_period_start: now,
    current_period_end: end,
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
    total_count: 1,
    url: `/v1/subscription_items?subscription=${sub.id}`,
  };
  const invoice = createInvoice(core, sub, 'subscription_create', now, end, paid, now);
  return { subscription: sub, invoice };
}

function createInvoice(
  core: Core,
  sub: StripeObject,
  reason: string,
  start: number,
  end: number,
  paid: boolean,
  at: number,
): StripeObject {
  const price = priceOf(sub);
  const amount = price.unit_amount as number;
  const customer = core.store.get(sub.customer as string);
  const invoice = core.store.insert({
    ...core.base('invoice', at),
    account_country: 'IE',
    account_name: 'Stripe emulator',
    account_tax_ids: null,
    amount_due: amount,
    amount_overpaid: 0,
    amount_paid: paid ? amount : 0,
    amount_remaining: paid ? 0 : amount,
    amount_shipping: 0,
    application: null,
    attempt_count: 1,
    attempted: true,
    auto_advance: !paid,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: reason,
    collection_method: 'charge_automatically',
    currency: price.currency,
    custom_fields: null,
    customer: sub.customer,
    customer_account: null,
    customer_address: null,
    customer_email: customer?.email ?? null,
    customer_name: customer?.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: at,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    // No hosted invoice page in the emulator: null rather than a link that leads nowhere.
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: 'list',
      data: [
        {
          id: `il_${sub.id.slice(4)}_${start}`,
          object: 'line_item',
          amount,
          currency: price.currency,
          description: `1 × ${price.nickname ?? 'subscription'}`,
          discount_amounts: [],
          discountable: true,
          discounts: [],
          livemode: false,
          metadata: {},
          parent: {
            type: 'subscription_item_details',
            invoice_item_details: null,
            subscription_item_details: {
              invoice_item: null,
              proration: false,
              proration_details: { credited_items: null },
              subscription: sub.id,
              subscription_item: item(sub).id,
            },
          },
          period: { start, end },
          pretax_credit_amounts: [],
          pricing: {
            price_details: { price: price.id, product: price.product },
            type: 'price_details',
            unit_amount_decimal: String(amount),
          },
          quantity: 1,
          subscription: sub.id,
          taxes: [],
        },
      ],
      has_more: false,
      url: '',
    },
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: sub.metadata, subscription: sub.id },
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: end,
    period_start: start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: paid ? 'paid' : 'open',
    status_transitions: {
      finalized_at: at,
      marked_uncollectible_at: null,
      paid_at: paid ? at : null,
      voided_at: null,
    },
    subtotal: amount,
    subtotal_excluding_tax: amount,
    test_clock: sub.test_clock,
    total: amount,
    total_discount_amounts: [],
    total_excluding_tax: amount,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: at,
  });
  for (const line of (invoice.lines as { data: Record<string, unknown>[] }).data) line.invoice = invoice.id;
  sub.latest_invoice = invoice.id;
  return invoice;
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
  const pays = cardOf(core, sub) === 'pays';
  const invoice = createInvoice(core, sub, 'subscription_update', now, end, pays, now);
  if (pays) core.emit('invoice.paid', invoice, undefined, now);
  else {
    sub.status = 'past_due';
    sub._retry_at = now + (RETRY_DAYS[0] as number) * DAY;
    invoice.next_payment_attempt = sub._retry_at;
    core.emit('invoice.payment_failed', invoice, undefined, now);
  }
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
      const now = core.nowFor(sub.customer as string);
      if (sub.status === 'incomplete') {
        if (sub.created + INCOMPLETE_TTL <= now) {
          expireIncomplete(core, sub);
          acted = true;
        }
      } else if (sub.status === 'past_due') {
        if (sub._retry_at !== null && (sub._retry_at as number) <= now) {
          retryRenewal(core, sub);
          acted = true;
        }
      } else if (sub.status === 'active' && periodEnd(sub) <= now) {
        renew(core, sub);
        acted = true;
      }
    }
    for (const session of core.store.all('checkout.session')) {
      if (onlyCustomers && !onlyCustomers.has(session.customer as string)) continue;
      const now = core.nowFor(session.customer as string | null);
      if (session.status === 'open' && (session.expires_at as number) <= now) {
        session.status = 'expired';
        session.url = null;
        core.emit('checkout.session.expired', session, { status: 'open' }, session.expires_at as number);
        acted = true;
      }
    }
    if (!acted) return;
  }
}

function expireIncomplete(core: Core, sub: StripeObject): void {
  const at = sub.created + INCOMPLETE_TTL;
  sub.status = 'incomplete_expired';
  sub.ended_at = at;
  const invoice = sub.latest_invoice ? core.store.get(sub.latest_invoice as string) : undefined;
  if (invoice && invoice.status === 'open') {
    invoice.status = 'void';
    (invoice.status_transitions as Record<string, unknown>).voided_at = at;
  }
  core.emit('customer.subscription.deleted', sub, { status: 'incomplete' }, at);
}

/** The card the customer pays with now (a customer may change it while a renewal is failing). */
function cardOf(core: Core, sub: StripeObject): CardBehavior {
  return (core.store.get(sub.customer as string)?._card as CardBehavior | undefined) ?? 'pays';
}

/**
 * The renewal due at the period end. Work found late (a clock jumped ahead) happens as of the moment
 * it was due, so its invoice, its events and the retries after it keep Stripe's schedule.
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
  const pays = cardOf(core, sub) === 'pays';
  const invoice = createInvoice(core, sub, 'subscription_cycle', start, end, pays, start);
  if (pays) {
    core.emit('invoice.paid', invoice, undefined, start);
  } else {
    sub.status = 'past_due';
    sub._retry_at = start + (RETRY_DAYS[0] as number) * DAY;
    invoice.next_payment_attempt = sub._retry_at;
    core.emit('invoice.payment_failed', invoice, undefined, start);
  }
  core.emit('customer.subscription.updated', sub, previous, start);
}

/** Stripe's smart retries, compressed: a card that now pays settles the invoice and reactivates. */
function retryRenewal(core: Core, sub: StripeObject): void {
  const at = sub._retry_at as number;
  const invoice = core.store.get(sub.latest_invoice as string) as StripeObject;
  invoice.attempt_count = (invoice.attempt_count as number) + 1;
  if (cardOf(core, sub) === 'pays') {
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    (invoice.status_transitions as Record<string, unknown>).paid_at = at;
    sub.status = 'active';
    sub._retry_at = null;
    core.emit('invoice.paid', invoice, undefined, at);
    core.emit('customer.subscription.updated', sub, { status: 'past_due' }, at);
    return;
  }
  const retriesDone = (invoice.attempt_count as number) - 1;
  const nextDelay = RETRY_DAYS[retriesDone];
  if (nextDelay !== undefined) {
    sub._retry_at = at + nextDelay * DAY;
    invoice.next_payment_attempt = sub._retry_at;
    core.emit('invoice.payment_failed', invoice, undefined, at);
    return;
  }
  // Retries exhausted: the invoice stays open; the subscription ends (Stripe's default setting), or is
  // marked unpaid, or stays past_due, as the emulator's setting says.
  invoice.next_payment_attempt = null;
  sub._retry_at = null;
  core.emit('invoice.payment_failed', invoice, undefined, at);
  if (core.afterFailedRetries === 'cancel') endSubscription(core, sub, 'payment_failed', at);
  else if (core.afterFailedRetries === 'unpaid') {
    sub.status = 'unpaid';
    core.emit('customer.subscription.updated', sub, { status: 'past_due' }, at);
  }
}
