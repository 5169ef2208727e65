// A subscription's life as Stripe documents it: incomplete until its first invoice is paid, invoices
// with their events and payments, 3-D Secure at renewal, retries with next_payment_attempt, past_due
// periods that go on invoicing, trials. Time moves on test clocks.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import {
  CARD_3DS,
  CARD_FAILS_AT_RENEWAL,
  CARD_OK,
  type Catalog,
  chargeOf,
  DAY,
  emulatorForTest,
  FIRST_PAID,
  seedCatalog,
  stripeError,
  subscribe,
} from './testing';

let emulator: StripeEmulator;
let stripe: Stripe;
let catalog: Catalog;
beforeEach(async () => {
  emulator = await emulatorForTest();
  stripe = emulator.stripe();
  catalog = await seedCatalog(stripe);
});
afterEach(() => emulator.stop());

const T0 = Date.UTC(2027, 0, 10, 12) / 1000; // 10 January 2027, noon UTC
const FEB10 = Date.UTC(2027, 1, 10, 12) / 1000;

/** Event types about one subscription or its invoices, oldest first. */
async function typesFor(subscriptionId: string): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100 });
  return events.data
    .filter((e) => {
      const o = e.data.object as {
        id?: string;
        parent?: { subscription_details?: { subscription?: string } };
      };
      return o.id === subscriptionId || o.parent?.subscription_details?.subscription === subscriptionId;
    })
    .map((e) => e.type)
    .reverse();
}

async function onClock(card: string, extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await stripe.customers.create({ email: 'musician@example.com', test_clock: clock.id });
  const { subscription, session } = await subscribe(emulator, catalog.monthly, card, customer, extra);
  const advance = (to: number) => stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
  return { clock, customer, subscription, session, advance };
}

async function hostedPage(url: string, form?: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    ...(form
      ? { body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
      : {}),
  });
}

describe('the first invoice', () => {
  it('on Checkout: created incomplete, its invoice finalized and paid, then active; the payment chain names the charge', async () => {
    const { subscription, session } = await subscribe(emulator, catalog.monthly);
    expect(subscription.status).toBe('active');
    expect(session.payment_status).toBe('paid');
    expect(await typesFor(subscription.id)).toEqual(FIRST_PAID);
    const [created] = (await stripe.events.list({ type: 'customer.subscription.created' })).data;
    expect((created?.data.object as Stripe.Subscription | undefined)?.status).toBe('incomplete');

    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string, {
      expand: ['payments'],
    });
    expect(invoice).toMatchObject({
      status: 'paid',
      amount_paid: 999,
      attempt_count: 1,
      next_payment_attempt: null,
    });
    expect(invoice.number).toMatch(/^[0-9A-F]{8}-0001$/);
    expect(invoice.hosted_invoice_url).toBe(`${emulator.url}/i/${invoice.id}`);
    expect(invoice.invoice_pdf).toBe(`${emulator.url}/i/${invoice.id}/pdf`);
    expect(invoice.lines.data[0]?.subtotal).toBe(999);
    const payment = invoice.payments?.data[0] as Stripe.InvoicePayment;
    expect(payment).toMatchObject({
      object: 'invoice_payment',
      status: 'paid',
      amount_paid: 999,
      is_default: true,
    });
    expect(payment.payment.type).toBe('payment_intent');
    const listed = await stripe.invoicePayments.list({ invoice: invoice.id });
    expect(listed.data.map((p) => p.id)).toEqual([payment.id]);
    const charge = await chargeOf(stripe, invoice.id);
    expect(charge).toMatchObject({
      status: 'succeeded',
      paid: true,
      amount: 999,
      refunded: false,
      disputed: false,
    });
    const intent = await stripe.paymentIntents.retrieve(charge.payment_intent as string);
    expect(intent).toMatchObject({ status: 'succeeded', amount_received: 999, latest_charge: charge.id });
    // Without expand, an invoice does not carry its payments, as on Stripe.
    expect((await stripe.invoices.retrieve(invoice.id)).payments).toBeUndefined();
  });

  it('over the API with default_incomplete: incomplete with an open invoice until invoices.pay', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa' });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: catalog.monthly.id }],
      payment_behavior: 'default_incomplete',
      expand: ['latest_invoice'],
    });
    expect(sub.status).toBe('incomplete');
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 0, amount_remaining: 999 });
    const paid = await stripe.invoices.pay(invoice.id);
    expect(paid.status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    const again = await stripeError(stripe.invoices.pay(invoice.id));
    expect(again.statusCode).toBe(400);
  });

  it('over the API with a 3-D Secure card: incomplete, the intent requires_action, invoice.payment_action_required; 402 with error_if_incomplete', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_authenticationRequired' });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: catalog.monthly.id }],
    });
    expect(sub.status).toBe('incomplete');
    const invoice = await stripe.invoices.retrieve(sub.latest_invoice as string, { expand: ['payments'] });
    expect(invoice.status).toBe('open');
    const intent = await stripe.paymentIntents.retrieve(
      invoice.payments?.data[0]?.payment.payment_intent as string,
    );
    expect(intent.status).toBe('requires_action');
    expect(intent.next_action?.type).toBe('use_stripe_sdk');
    expect(await typesFor(sub.id)).toContain('invoice.payment_action_required');
    // Paying from a server cannot complete 3-D Secure.
    const offSession = await stripeError(stripe.invoices.pay(invoice.id));
    expect(offSession.statusCode).toBe(402);
    expect(offSession.code).toBe('invoice_payment_intent_requires_action');
    const refused = await stripeError(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: catalog.monthly.id }],
        payment_behavior: 'error_if_incomplete',
      }),
    );
    expect(refused.statusCode).toBe(402);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
  });
});

describe('3-D Secure at renewal (card 4000 0027 6000 3184)', () => {
  it('pays on Checkout, then the renewal waits for the musician: open invoice, requires_action, past_due; confirming on the hosted invoice page pays it', async () => {
    const { subscription, advance } = await onClock(CARD_3DS);
    expect(subscription.status).toBe('active');
    await advance(FEB10 + 3600);
    const due = await stripe.subscriptions.retrieve(subscription.id);
    expect(due.status).toBe('past_due');
    const invoice = await stripe.invoices.retrieve(due.latest_invoice as string, { expand: ['payments'] });
    expect(invoice).toMatchObject({ status: 'open', billing_reason: 'subscription_cycle', attempt_count: 1 });
    expect(invoice.next_payment_attempt).toBe(FEB10 + 3 * DAY);
    const intent = await stripe.paymentIntents.retrieve(
      invoice.payments?.data[0]?.payment.payment_intent as string,
    );
    expect(intent.status).toBe('requires_action');
    expect(await typesFor(subscription.id)).toEqual([
      ...FIRST_PAID,
      'invoice.created',
      'invoice.finalized',
      'invoice.payment_action_required',
      'customer.subscription.updated',
    ]);

    const page = await hostedPage(invoice.hosted_invoice_url as string);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Confirm your payment');
    expect(html).toContain('€9.99');
    const confirmed = await hostedPage(invoice.hosted_invoice_url as string, { action: 'confirm' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(`/i/${invoice.id}?paid=1`);
    const paid = await stripe.invoices.retrieve(invoice.id);
    expect(paid).toMatchObject({ status: 'paid', next_payment_attempt: null });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    expect((await typesFor(subscription.id)).slice(-3)).toEqual([
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
    ]);
    expect(await (await hostedPage(invoice.hosted_invoice_url as string)).text()).toContain('Paid on');
    // A paid invoice cannot be paid twice.
    expect((await hostedPage(invoice.hosted_invoice_url as string, { action: 'confirm' })).status).toBe(409);
  });

  it('left unconfirmed: asks again at each retry, then the subscription ends', async () => {
    const { subscription, advance } = await onClock(CARD_3DS);
    await advance(FEB10 + 9 * DAY);
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    expect(ended.status).toBe('canceled');
    expect(ended.cancellation_details?.reason).toBe('payment_failed');
    const types = await typesFor(subscription.id);
    expect(types.filter((t) => t === 'invoice.payment_action_required')).toHaveLength(3);
  });
});

describe('failed renewals (card 4000 0000 0000 0341)', () => {
  it('sets next_payment_attempt while retries remain and null after the last', async () => {
    const { subscription, advance } = await onClock(CARD_FAILS_AT_RENEWAL);
    const latest = async () =>
      stripe.invoices.retrieve(
        (await stripe.subscriptions.retrieve(subscription.id)).latest_invoice as string,
      );
    await advance(FEB10);
    expect((await latest()).next_payment_attempt).toBe(FEB10 + 3 * DAY);
    await advance(FEB10 + 3 * DAY);
    expect((await latest()).next_payment_attempt).toBe(FEB10 + 8 * DAY);
    await emulator.idle();
    const res = await fetch(`${emulator.url}/_emulator/billing`, {
      method: 'POST',
      body: JSON.stringify({ afterFailedRetries: 'past_due' }),
    });
    expect(res.status).toBe(200);
    await advance(FEB10 + 8 * DAY);
    const last = await latest();
    expect(last).toMatchObject({ status: 'open', attempt_count: 3, next_payment_attempt: null });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
  });

  it('a past_due subscription goes on invoicing each period; a good card pays the next one and it is active again', async () => {
    await fetch(`${emulator.url}/_emulator/billing`, {
      method: 'POST',
      body: JSON.stringify({ afterFailedRetries: 'past_due' }),
    });
    const { subscription, customer, advance } = await onClock(CARD_FAILS_AT_RENEWAL);
    const MAR10 = Date.UTC(2027, 2, 10, 12) / 1000;
    await advance(MAR10);
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => [i.billing_reason, i.status, i.period_start])).toEqual([
      ['subscription_cycle', 'open', MAR10],
      ['subscription_cycle', 'open', FEB10],
      ['subscription_create', 'paid', T0],
    ]);
    const sub = await stripe.subscriptions.retrieve(subscription.id);
    expect(sub.status).toBe('past_due');
    expect(sub.items.data[0]?.current_period_start).toBe(MAR10);
    // The musician updates the card; the March invoice's retry three days later pays it.
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    await advance(MAR10 + 3 * DAY);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    expect((await stripe.invoices.retrieve(sub.latest_invoice as string)).status).toBe('paid');
  });
});

describe('trials', () => {
  it('on Checkout: trialing with a 0 invoice, trial_will_end three days before the end, then the first charge', async () => {
    const { subscription, session, advance } = await onClock(CARD_OK, {
      subscription_data: { trial_period_days: 14 },
    });
    expect(session.payment_status).toBe('no_payment_required');
    expect(session.amount_total).toBe(0);
    expect(subscription).toMatchObject({ status: 'trialing', trial_start: T0, trial_end: T0 + 14 * DAY });
    expect(subscription.items.data[0]?.current_period_end).toBe(T0 + 14 * DAY);
    const first = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(first).toMatchObject({
      status: 'paid',
      amount_due: 0,
      total: 0,
      billing_reason: 'subscription_create',
    });

    await advance(T0 + 11 * DAY - 1);
    expect(await typesFor(subscription.id)).not.toContain('customer.subscription.trial_will_end');
    await advance(T0 + 11 * DAY);
    const [reminder] = (await stripe.events.list({ type: 'customer.subscription.trial_will_end' })).data;
    expect(reminder?.created).toBe(T0 + 11 * DAY);
    await advance(T0 + 14 * DAY);
    const active = await stripe.subscriptions.retrieve(subscription.id);
    expect(active.status).toBe('active');
    const charged = await stripe.invoices.retrieve(active.latest_invoice as string);
    expect(charged).toMatchObject({ status: 'paid', amount_paid: 999, billing_reason: 'subscription_cycle' });
    expect(charged.period_start).toBe(T0 + 14 * DAY);
    expect(active.items.data[0]?.current_period_end).toBe(Date.UTC(2027, 1, 24, 12) / 1000);
  });

  it('over the API: trial_period_days; a trial shorter than three days is reminded at once', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa' });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: catalog.monthly.id }],
      trial_period_days: 2,
    });
    expect(sub.status).toBe('trialing');
    expect(sub.trial_end).toBe((sub.trial_start as number) + 2 * DAY);
    await stripe.subscriptions.list(); // any call runs what is due
    const reminders = await stripe.events.list({ type: 'customer.subscription.trial_will_end' });
    expect(reminders.data.map((e) => (e.data.object as Stripe.Subscription).id)).toEqual([sub.id]);
    const bad = await stripeError(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: catalog.monthly.id }],
        trial_period_days: 0,
      }),
    );
    expect(bad.param).toBe('trial_period_days');
  });
});
