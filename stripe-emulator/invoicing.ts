// A subscription's invoices: drafted, finalized (number, hosted page, PDF, PaymentIntent) and collected,
// with the events Stripe sends at each step (invoice.created, invoice.finalized, invoice.paid,
// invoice.payment_succeeded, invoice.payment_failed, invoice.payment_action_required, invoice.voided).
import type { CardBehavior } from './billing';
import type { Core } from './core';
import {
  type AttemptOutcome,
  attemptIntent,
  cancelInvoicePayment,
  intentOf,
  openInvoicePayment,
  type PaymentContext,
  settleInvoicePayment,
} from './payments';
import type { StripeObject } from './store';

const DAY = 86_400;
/**
 * After a failed renewal Stripe retries on a schedule (Smart Retries or a custom one, set in the
 * Dashboard: https://docs.stripe.com/billing/revenue-recovery/smart-retries); here 3 and then 5 days
 * after the previous attempt. `next_payment_attempt` names the next one, null after the last.
 */
export const RETRY_DAYS = [3, 5] as const;

function firstItem(sub: StripeObject): Record<string, unknown> {
  return (sub.items as { data: Record<string, unknown>[] }).data[0] as Record<string, unknown>;
}

/** A draft invoice for one period of a subscription's one item, with `invoice.created`. */
export function draftInvoice(
  core: Core,
  sub: StripeObject,
  reason: string,
  period: { start: number; end: number },
  amount: number,
  at: number,
): StripeObject {
  const item = firstItem(sub);
  const price = item.price as Record<string, unknown>;
  const customer = core.store.get(sub.customer as string);
  const invoice = core.store.insert({
    ...core.base('invoice', at),
    account_country: 'IE',
    account_name: 'Stripe emulator',
    account_tax_ids: null,
    amount_due: amount,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: amount,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
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
    effective_at: null as number | null,
    ending_balance: null as number | null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null as string | null,
    invoice_pdf: null as string | null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: 'list',
      data: [
        {
          id: `il_${sub.id.slice(4)}_${period.start}`,
          object: 'line_item',
          amount,
          currency: price.currency,
          description: `1 × ${price.nickname ?? 'subscription'}`,
          discount_amounts: [],
          discountable: true,
          discounts: [],
          invoice: null as string | null,
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
              subscription_item: item.id,
            },
          },
          period,
          pretax_credit_amounts: [],
          pricing: {
            price_details: { price: price.id, product: price.product },
            type: 'price_details',
            unit_amount_decimal: String(amount),
          },
          quantity: 1,
          quantity_decimal: '1',
          subscription: sub.id,
          subtotal: amount,
          taxes: [],
        },
      ],
      has_more: false,
      url: '',
    },
    metadata: {},
    next_payment_attempt: null as number | null,
    number: null as string | null,
    on_behalf_of: null,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: sub.metadata, subscription: sub.id },
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: period.end,
    period_start: period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: {
      finalized_at: null as number | null,
      marked_uncollectible_at: null,
      paid_at: null as number | null,
      voided_at: null as number | null,
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
    _retry_at: null as number | null,
  });
  const lines = invoice.lines as { data: Record<string, unknown>[]; url: string };
  for (const line of lines.data) line.invoice = invoice.id;
  lines.url = `/v1/invoices/${invoice.id}/lines`;
  sub.latest_invoice = invoice.id;
  core.emit('invoice.created', invoice, undefined, at);
  return invoice;
}

/** Finalizes a draft: its number, hosted page and PDF, and the PaymentIntent that collects it. */
export function finalizeInvoice(core: Core, invoice: StripeObject, at: number): void {
  const customer = core.store.get(invoice.customer as string);
  if (customer) {
    const seq = customer.next_invoice_sequence as number;
    invoice.number = `${customer.invoice_prefix as string}-${String(seq).padStart(4, '0')}`;
    customer.next_invoice_sequence = seq + 1;
  }
  invoice.status = 'open';
  invoice.effective_at = at;
  invoice.ending_balance = 0;
  (invoice.status_transitions as Record<string, unknown>).finalized_at = at;
  invoice.hosted_invoice_url = `${core.baseUrl()}/i/${invoice.id}`;
  invoice.invoice_pdf = `${core.baseUrl()}/i/${invoice.id}/pdf`;
  if ((invoice.amount_due as number) > 0) openInvoicePayment(core, invoice, at);
  core.emit('invoice.finalized', invoice, undefined, at);
}

/** An invoice leaves `open` for good: no more attempts, and the time it did so. */
function close(invoice: StripeObject, status: 'paid' | 'void', at: number): void {
  invoice.status = status;
  invoice.next_payment_attempt = null;
  invoice._retry_at = null;
  invoice.auto_advance = false;
  (invoice.status_transitions as Record<string, unknown>)[status === 'paid' ? 'paid_at' : 'voided_at'] = at;
}

/** Marks an invoice paid (its amount collected, or nothing due), with `invoice.paid` and `invoice.payment_succeeded`. */
function markPaid(core: Core, invoice: StripeObject, at: number): void {
  close(invoice, 'paid', at);
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  settleInvoicePayment(core, invoice.id, at);
  core.emit('invoice.paid', invoice, undefined, at);
  core.emit('invoice.payment_succeeded', invoice, undefined, at);
}

/** An invoice with nothing to collect (a trial's first invoice) is paid as soon as it is finalized. */
export function settleEmptyInvoice(core: Core, invoice: StripeObject, at: number): void {
  markPaid(core, invoice, at);
}

/**
 * One attempt to collect an open invoice. `retries` schedules the next automatic attempt after a
 * failure or a 3-D Secure challenge (renewals); first invoices and attempts on the hosted page keep
 * their schedule (a first invoice is never retried: it expires with its incomplete subscription).
 */
export function collectInvoice(
  core: Core,
  invoice: StripeObject,
  card: CardBehavior,
  context: PaymentContext,
  at: number,
  retries: boolean,
): AttemptOutcome {
  const intent = intentOf(core, invoice.id);
  if (!intent) {
    markPaid(core, invoice, at);
    return 'succeeded';
  }
  invoice.attempt_count = (invoice.attempt_count as number) + 1;
  invoice.attempted = true;
  const outcome = attemptIntent(core, intent, card, context, at, invoice.hosted_invoice_url as string);
  if (outcome === 'succeeded') {
    markPaid(core, invoice, at);
    return outcome;
  }
  if (retries) {
    const delay = RETRY_DAYS[(invoice.attempt_count as number) - 1];
    invoice._retry_at = delay === undefined ? null : at + delay * DAY;
    invoice.next_payment_attempt = invoice._retry_at;
  }
  core.emit(
    outcome === 'failed' ? 'invoice.payment_failed' : 'invoice.payment_action_required',
    invoice,
    undefined,
    at,
  );
  return outcome;
}

/** Voids an open invoice that will not be collected (its subscription expired incomplete). */
export function voidInvoice(core: Core, invoice: StripeObject, at: number): void {
  close(invoice, 'void', at);
  cancelInvoicePayment(core, invoice.id, at);
  core.emit('invoice.voided', invoice, undefined, at);
}
