// Renewals and failed renewals, under a test clock and under the emulator's global clock.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addInterval, nextBoundary } from './clock';
import type { StripeEmulator } from './index';
import {
  CARD_FAILS_AT_RENEWAL,
  CARD_OK,
  type Catalog,
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

const T0 = Date.UTC(2027, 0, 31, 12) / 1000; // 31 January 2027, noon UTC
const utc = (y: number, m: number, d: number, h = 12) => Date.UTC(y, m - 1, d, h) / 1000;
const itemOf = (sub: Stripe.Subscription) => sub.items.data[0] as Stripe.SubscriptionItem;

async function typesFor(id: string): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100 });
  return events.data
    .filter((e) => {
      const o = e.data.object as {
        id?: string;
        parent?: { subscription_details?: { subscription?: string } };
      };
      return o.id === id || o.parent?.subscription_details?.subscription === id;
    })
    .map((e) => e.type)
    .reverse();
}

describe('calendar periods', () => {
  it('clamps the day of month and keeps the anchor day afterwards', () => {
    expect(addInterval(T0, 'month')).toBe(utc(2027, 2, 28));
    expect(nextBoundary(T0, 'month', 1, utc(2027, 2, 28))).toBe(utc(2027, 3, 31));
    expect(addInterval(utc(2028, 2, 29), 'year')).toBe(utc(2029, 2, 28));
    expect(addInterval(T0, 'week', 2)).toBe(T0 + 14 * DAY);
  });
});

describe('under a test clock', () => {
  async function clockCustomer(card: string) {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: T0, name: 'renewals' });
    const customer = await stripe.customers.create({ email: 'clock@example.com', test_clock: clock.id });
    const { subscription } = await subscribe(emulator, catalog.monthly, card, customer);
    return { clock, customer, subscription };
  }

  it('starts the subscription at the clock’s time and renews it when the clock passes the period end', async () => {
    const { clock, subscription } = await clockCustomer(CARD_OK);
    expect(clock).toMatchObject({ object: 'test_helpers.test_clock', frozen_time: T0, status: 'ready' });
    expect(itemOf(subscription).current_period_start).toBe(T0);
    expect(itemOf(subscription).current_period_end).toBe(utc(2027, 2, 28));

    // The emulator's own clock does not move a customer on a test clock.
    await emulator.advanceTime(400 * DAY);
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);

    const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 3, 1) });
    expect(advanced.frozen_time).toBe(utc(2027, 3, 1));
    const renewed = await stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.status).toBe('active');
    expect(itemOf(renewed).current_period_start).toBe(utc(2027, 2, 28));
    expect(itemOf(renewed).current_period_end).toBe(utc(2027, 3, 31));
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => [i.billing_reason, i.status])).toEqual([
      ['subscription_cycle', 'paid'],
      ['subscription_create', 'paid'],
    ]);
    const cycle = invoices.data[0] as Stripe.Invoice;
    expect(cycle.period_start).toBe(utc(2027, 2, 28));
    expect(cycle.period_end).toBe(utc(2027, 3, 31));
    expect(await typesFor(subscription.id)).toEqual([
      ...FIRST_PAID,
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
    ]);
    // An event made by the clock carries the clock's time: the moment the renewal was due.
    const [paid] = (await stripe.events.list({ type: 'invoice.paid' })).data;
    expect(paid?.created).toBe(utc(2027, 2, 28));
    expect(cycle.created).toBe(utc(2027, 2, 28));
  });

  it('renews once per period when the clock jumps several periods', async () => {
    const { clock, subscription } = await clockCustomer(CARD_OK);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 7, 1) });
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data).toHaveLength(6);
    expect(itemOf(await stripe.subscriptions.retrieve(subscription.id)).current_period_end).toBe(
      utc(2027, 7, 31),
    );
  });

  it('fails the renewal with card 0341: past_due, retries after 3 and 5 days, then canceled', async () => {
    const { clock, subscription } = await clockCustomer(CARD_FAILS_AT_RENEWAL);
    expect(subscription.status).toBe('active');

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 2, 28, 13) });
    const failing = await stripe.subscriptions.retrieve(subscription.id);
    expect(failing.status).toBe('past_due');
    const invoice = await stripe.invoices.retrieve(failing.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, amount_paid: 0 });
    // Due at the period end, so the retries count from there.
    expect(invoice.next_payment_attempt).toBe(utc(2027, 2, 28) + 3 * DAY);

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 3, 3, 14) });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    expect((await stripe.invoices.retrieve(invoice.id as string)).attempt_count).toBe(2);

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 3, 10) });
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    expect(ended.status).toBe('canceled');
    expect(ended.cancellation_details?.reason).toBe('payment_failed');
    expect((await stripe.invoices.retrieve(invoice.id as string)).attempt_count).toBe(3);
    expect(await typesFor(subscription.id)).toEqual([
      ...FIRST_PAID,
      'invoice.created',
      'invoice.finalized',
      'invoice.payment_failed',
      'customer.subscription.updated',
      'invoice.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.deleted',
    ]);
  });

  it('recovers a failing renewal at the next retry once the customer pays with a good card', async () => {
    const { clock, customer, subscription } = await clockCustomer(CARD_FAILS_AT_RENEWAL);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 3, 1) });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 3, 5) });
    const recovered = await stripe.subscriptions.retrieve(subscription.id);
    expect(recovered.status).toBe('active');
    expect((await stripe.invoices.retrieve(recovered.latest_invoice as string)).status).toBe('paid');
  });

  it('ends a subscription set to cancel at period end when the period ends', async () => {
    const { clock, subscription } = await clockCustomer(CARD_OK);
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 2, 27) });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2027, 3, 1) });
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    expect(ended.status).toBe('canceled');
    expect(ended.cancellation_details?.reason).toBe('cancellation_requested');
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
  });

  it('refuses to move a clock backwards and keeps it where it was', async () => {
    const { clock } = await clockCustomer(CARD_OK);
    const err = await stripeError(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 - 1 }));
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('frozen_time');
    expect((await stripe.testHelpers.testClocks.retrieve(clock.id)).frozen_time).toBe(T0);
    expect((await stripeError(stripe.testHelpers.testClocks.retrieve('clock_missing'))).statusCode).toBe(404);
    expect((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toEqual([clock.id]);
  });
});

describe('under the emulator’s clock (advanceTime)', () => {
  it('renews a monthly subscription when a month has passed', async () => {
    const { subscription } = await subscribe(emulator, catalog.monthly);
    const end = itemOf(subscription).current_period_end;
    await emulator.advanceTime(end - subscription.created - 60);
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
    await emulator.advanceTime(120);
    const renewed = await stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.status).toBe('active');
    expect(itemOf(renewed).current_period_start).toBe(end);
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(2);
  });

  it('fails a 0341 renewal, retries, then cancels, through the admin route too', async () => {
    const { subscription } = await subscribe(emulator, catalog.monthly, CARD_FAILS_AT_RENEWAL);
    const end = itemOf(subscription).current_period_end;
    await emulator.advanceTime(end - subscription.created + 60);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    const res = await fetch(`${emulator.url}/_emulator/advance`, {
      method: 'POST',
      body: JSON.stringify({ seconds: 3 * DAY }),
    });
    expect(res.status).toBe(200);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    await emulator.advanceTime(5 * DAY);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
    const failed = await stripe.events.list({ type: 'invoice.payment_failed' });
    expect(failed.data).toHaveLength(3);
  });

  it('marks the subscription unpaid, or leaves it past_due, when the emulator is set so', async () => {
    const bad = await fetch(`${emulator.url}/_emulator/billing`, {
      method: 'POST',
      body: JSON.stringify({ afterFailedRetries: 'forgive' }),
    });
    expect(bad.status).toBe(400);
    for (const setting of ['unpaid', 'past_due'] as const) {
      const res = await fetch(`${emulator.url}/_emulator/billing`, {
        method: 'POST',
        body: JSON.stringify({ afterFailedRetries: setting }),
      });
      expect(res.status).toBe(200);
      const { subscription } = await subscribe(emulator, catalog.monthly, CARD_FAILS_AT_RENEWAL);
      const end = itemOf(subscription).current_period_end;
      await emulator.advanceTime(
        end - (await stripe.subscriptions.retrieve(subscription.id)).created + 10 * DAY,
      );
      const after = await stripe.subscriptions.retrieve(subscription.id);
      expect(after.status).toBe(setting);
      expect((await stripe.invoices.retrieve(after.latest_invoice as string)).status).toBe('open');
      expect((await stripe.subscriptions.list({ status: setting })).data.map((s) => s.id)).toContain(
        subscription.id,
      );
    }
  });

  it('bills an annual subscription once a year', async () => {
    const { subscription } = await subscribe(emulator, catalog.annual);
    await emulator.advanceTime(200 * DAY);
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
    await emulator.advanceTime(200 * DAY);
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.amount_paid)).toEqual([9999, 9999]);
  });
});
