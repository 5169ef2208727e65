// Money moving: the PaymentIntent an invoice opens, the charges its attempts make, and what happens to
// a charge afterwards (refunds, disputes). Since API version 2025-03-31 ("basil") an invoice names its
// payments through InvoicePayment objects (`invoice.payments`, `/v1/invoice_payments?invoice=…`), each
// `payment: {type: 'payment_intent', payment_intent}`; the PaymentIntent's `latest_charge` is the charge
// (https://docs.stripe.com/api/invoice-payment/object).
import type { CardBehavior } from './billing';
import { paymentMethodOf } from './cards';
import type { Core } from './core';
import { badParam } from './errors';
import type { StripeObject } from './store';

/** Where a payment is attempted: the customer on a Stripe page, a server call, or a renewal off-session. */
export type PaymentContext = 'customer_present' | 'api' | 'off_session';
export type AttemptOutcome = 'succeeded' | 'failed' | 'requires_action';

/**
 * What a test card does in a context. 4000 0027 6000 3184 asks for 3-D Secure on every payment: the
 * customer completes it on Checkout or the hosted invoice page, and nothing else can.
 */
export function outcomeOf(card: CardBehavior, context: PaymentContext): AttemptOutcome {
  if (card === 'declined') return 'failed';
  if (card === 'fails_at_renewal') return context === 'off_session' ? 'failed' : 'succeeded';
  if (card === 'authentication_required')
    return context === 'customer_present' ? 'succeeded' : 'requires_action';
  return 'succeeded';
}

/** The PaymentIntent and InvoicePayment of an invoice that asks for money, opened when it is finalized. */
export function openInvoicePayment(core: Core, invoice: StripeObject, at: number): StripeObject {
  const intent = core.store.insert({
    ...core.base('payment_intent', at),
    allowed_payment_method_types: ['card'],
    amount: invoice.amount_due,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: null as string | null,
    confirmation_method: 'automatic',
    currency: invoice.currency,
    customer: invoice.customer,
    customer_account: null,
    description: 'Subscription creation',
    excluded_payment_method_types: null,
    last_payment_error: null as Record<string, unknown> | null,
    latest_charge: null as string | null,
    managed_payments: null,
    metadata: {},
    next_action: null as Record<string, unknown> | null,
    on_behalf_of: null,
    payment_details: { customer_reference: null, order_reference: null },
    payment_method: null as string | null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: 'off_session',
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  });
  if (invoice.billing_reason !== 'subscription_create') intent.description = 'Subscription update';
  intent.client_secret = `${intent.id}_secret_${intent.id.slice(3, 15)}`;
  core.store.insert({
    ...core.base('invoice_payment', at),
    amount_paid: null as number | null,
    amount_requested: invoice.amount_due,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    payment: { type: 'payment_intent', payment_intent: intent.id },
    status: 'open',
    status_transitions: { canceled_at: null, paid_at: null as number | null },
  });
  return intent;
}

export function invoicePaymentOf(core: Core, invoiceId: string): StripeObject | undefined {
  return core.store.all('invoice_payment').find((p) => p.invoice === invoiceId);
}

export function intentOf(core: Core, invoiceId: string): StripeObject | undefined {
  const payment = invoicePaymentOf(core, invoiceId);
  const id = (payment?.payment as { payment_intent?: string } | undefined)?.payment_intent;
  return id ? core.store.get(id) : undefined;
}

function insertCharge(
  core: Core,
  intent: StripeObject,
  card: CardBehavior,
  outcome: 'succeeded' | 'failed',
  at: number,
): StripeObject {
  const customer = core.store.get(intent.customer as string);
  const paid = outcome === 'succeeded';
  const charge = core.store.insert({
    ...core.base('charge', at),
    amount: intent.amount,
    amount_captured: paid ? intent.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: {
      address: null,
      email: (customer?.email as string | null) ?? null,
      name: (customer?.name as string | null) ?? null,
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: 'STRIPE EMULATOR',
    captured: paid,
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: paid ? null : 'card_declined',
    failure_message: paid ? null : 'Your card was declined.',
    fraud_details: {},
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: paid ? 'approved_by_network' : 'declined_by_network',
      reason: paid ? null : 'generic_decline',
      risk_level: 'normal',
      seller_message: paid
        ? 'Payment complete.'
        : 'The bank did not return any further details with this decline.',
      type: paid ? 'authorized' : 'issuer_declined',
    },
    paid,
    payment_intent: intent.id,
    payment_method: paymentMethodOf(card),
    payment_method_details: null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: outcome,
    transfer_data: null,
    transfer_group: null,
  });
  intent.latest_charge = charge.id;
  intent.payment_method = paymentMethodOf(card);
  return charge;
}

/**
 * One attempt to collect an invoice's PaymentIntent with a card: a charge (succeeded or failed), or a
 * 3-D Secure challenge left on the intent (`requires_action`, no charge). The caller moves the invoice.
 */
export function attemptIntent(
  core: Core,
  intent: StripeObject,
  card: CardBehavior,
  context: PaymentContext,
  at: number,
  hostedInvoiceUrl: string,
): AttemptOutcome {
  const outcome = outcomeOf(card, context);
  if (outcome === 'requires_action') {
    intent.status = 'requires_action';
    intent.payment_method = paymentMethodOf(card);
    intent.next_action = {
      type: 'use_stripe_sdk',
      use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: hostedInvoiceUrl },
    };
    intent.last_payment_error = null;
    core.emit('payment_intent.requires_action', intent, undefined, at);
    return outcome;
  }
  const charge = insertCharge(core, intent, card, outcome, at);
  intent.next_action = null;
  if (outcome === 'succeeded') {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.last_payment_error = null;
    core.emit('charge.succeeded', charge, undefined, at);
    core.emit('payment_intent.succeeded', intent, undefined, at);
  } else {
    intent.status = 'requires_payment_method';
    intent.last_payment_error = {
      charge: charge.id,
      code: 'card_declined',
      decline_code: 'generic_decline',
      doc_url: 'https://docs.stripe.com/error-codes/card-declined',
      message: 'Your card was declined.',
      type: 'card_error',
    };
    core.emit('charge.failed', charge, undefined, at);
    core.emit('payment_intent.payment_failed', intent, undefined, at);
  }
  return outcome;
}

/** Marks the InvoicePayment of a settled invoice paid. */
export function settleInvoicePayment(core: Core, invoiceId: string, at: number): void {
  const payment = invoicePaymentOf(core, invoiceId);
  if (!payment) return;
  payment.status = 'paid';
  payment.amount_paid = payment.amount_requested;
  (payment.status_transitions as Record<string, unknown>).paid_at = at;
}

/** Cancels the PaymentIntent and InvoicePayment of an invoice that will never be paid (voided). */
export function cancelInvoicePayment(core: Core, invoiceId: string, at: number): void {
  const payment = invoicePaymentOf(core, invoiceId);
  const intent = intentOf(core, invoiceId);
  if (payment) {
    payment.status = 'canceled';
    (payment.status_transitions as Record<string, unknown>).canceled_at = at;
  }
  if (intent && intent.status !== 'succeeded') {
    intent.status = 'canceled';
    intent.canceled_at = at;
    intent.cancellation_reason = 'void_invoice';
    intent.next_action = null;
  }
}

/** A refund of all or part of what a charge captured and has not yet refunded, with `charge.refunded`. */
export function refundCharge(
  core: Core,
  charge: StripeObject,
  opts: { amount?: number; reason?: string; metadata: Record<string, string> },
): StripeObject {
  if (charge.status !== 'succeeded')
    throw badParam('charge', `Charge ${charge.id} has not succeeded: nothing to refund.`);
  const left = (charge.amount_captured as number) - (charge.amount_refunded as number);
  if (left <= 0) throw badParam('charge', `Charge ${charge.id} has already been refunded.`);
  const amount = opts.amount ?? left;
  if (amount > left)
    throw badParam(
      'amount',
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${left}).`,
    );
  const at = core.nowFor(charge.customer as string | null);
  // A refund carries no livemode field (the SDK's Stripe.Refund has none).
  const { livemode: _none, ...refundBase } = core.base('refund', at);
  const refund = core.store.insert({
    ...refundBase,
    amount,
    balance_transaction: null,
    charge: charge.id,
    currency: charge.currency,
    customer: charge.customer,
    customer_account: null,
    destination_details: {
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: opts.metadata,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason: opts.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  });
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded = (charge.amount_refunded as number) + amount;
  charge.refunded = charge.amount_refunded === charge.amount_captured;
  core.emit('refund.created', refund, undefined, at);
  core.emit('charge.refunded', charge, previous, at);
  return refund;
}

const DISPUTE_REASONS = [
  'fraudulent',
  'product_not_received',
  'subscription_canceled',
  'duplicate',
  'general',
];

/** A dispute the card holder's bank opens on a charge (a test helper: Stripe's come from banks). */
export function openDispute(core: Core, charge: StripeObject, reason = 'fraudulent'): StripeObject {
  if (charge.status !== 'succeeded') throw badParam('charge', `Charge ${charge.id} has not succeeded.`);
  if (charge.disputed) throw badParam('charge', `Charge ${charge.id} is already disputed.`);
  if (!DISPUTE_REASONS.includes(reason))
    throw badParam('reason', `reason: one of ${DISPUTE_REASONS.join(', ')}`);
  const at = core.nowFor(charge.customer as string | null);
  const evidenceFields = [
    'access_activity_log',
    'billing_address',
    'cancellation_policy',
    'cancellation_policy_disclosure',
    'cancellation_rebuttal',
    'customer_communication',
    'customer_email_address',
    'customer_name',
    'customer_purchase_ip',
    'customer_signature',
    'duplicate_charge_documentation',
    'duplicate_charge_explanation',
    'duplicate_charge_id',
    'product_description',
    'receipt',
    'refund_policy',
    'refund_policy_disclosure',
    'refund_refusal_explanation',
    'service_date',
    'service_documentation',
    'shipping_address',
    'shipping_carrier',
    'shipping_date',
    'shipping_documentation',
    'shipping_tracking_number',
    'uncategorized_file',
    'uncategorized_text',
  ];
  const dispute = core.store.insert({
    ...core.base('dispute', at),
    amount: (charge.amount_captured as number) - (charge.amount_refunded as number),
    balance_transactions: [],
    charge: charge.id,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: { ...Object.fromEntries(evidenceFields.map((f) => [f, null])), enhanced_evidence: {} },
    evidence_details: {
      due_by: at + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: { brand: 'visa', case_type: 'chargeback', network: 'visa', network_reason_code: '10.4' },
      type: 'card',
    },
    reason,
    status: 'needs_response',
  });
  charge.disputed = true;
  core.emit('charge.dispute.created', dispute, undefined, at);
  return dispute;
}

/** The bank's decision: `won` gives the money back to the seller, `lost` keeps it with the card holder. */
export function closeDispute(core: Core, dispute: StripeObject, outcome: 'won' | 'lost'): StripeObject {
  if (dispute.status === 'won' || dispute.status === 'lost')
    throw badParam('dispute', `Dispute ${dispute.id} is already closed (${dispute.status}).`);
  const previous = { status: dispute.status };
  dispute.status = outcome;
  const at = core.nowFor(
    (core.store.get(dispute.charge as string)?.customer as string | null | undefined) ?? null,
  );
  core.emit('charge.dispute.closed', dispute, previous, at);
  return dispute;
}
