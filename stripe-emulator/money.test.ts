// After the money moved: refunds, disputes, deleted customers, the invoice PDF, and the list paging a
// reconciliation relies on (subscriptions, customers, events since a time).
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import {
  adminPost,
  CARD_FAILS_AT_RENEWAL,
  type Catalog,
  chargeOf,
  DAY,
  emulatorForTest,
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

async function paidCharge(): Promise<Stripe.Charge> {
  const { subscription } = await subscribe(emulator, catalog.monthly);
  return chargeOf(stripe, subscription.latest_invoice as string);
}

async function eventsOf(type: string): Promise<Stripe.Event[]> {
  return (await stripe.events.list({ type, limit: 100 })).data;
}

describe('refunds', () => {
  it('refunds part of a charge, then the rest, each with charge.refunded', async () => {
    const charge = await paidCharge();
    const part = await stripe.refunds.create({
      charge: charge.id,
      amount: 300,
      reason: 'requested_by_customer',
    });
    expect(part).toMatchObject({
      object: 'refund',
      amount: 300,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      status: 'succeeded',
      reason: 'requested_by_customer',
    });
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 300, refunded: false });
    const rest = await stripe.refunds.create({ charge: charge.id });
    expect(rest.amount).toBe(699);
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 999, refunded: true });
    const refunded = await eventsOf('charge.refunded');
    expect(refunded.map((e) => (e.data.object as Stripe.Charge).amount_refunded)).toEqual([999, 300]);
    expect(refunded[1]?.data.previous_attributes).toEqual({ amount_refunded: 0, refunded: false });
    expect((await stripe.refunds.list({ charge: charge.id })).data.map((r) => r.id)).toEqual([
      rest.id,
      part.id,
    ]);
  });

  it('refunds the latest charge of a payment intent in full', async () => {
    const charge = await paidCharge();
    const refund = await stripe.refunds.create({ payment_intent: charge.payment_intent as string });
    expect(refund).toMatchObject({ amount: 999, charge: charge.id });
    expect((await stripe.charges.retrieve(charge.id)).refunded).toBe(true);
  });

  it('refuses a refund larger than what is left, of a missing charge, or naming nothing; and changes nothing', async () => {
    const charge = await paidCharge();
    const tooMuch = await stripeError(stripe.refunds.create({ charge: charge.id, amount: 1000 }));
    expect(tooMuch).toMatchObject({ statusCode: 400, param: 'amount' });
    const missing = await stripeError(stripe.refunds.create({ charge: 'ch_missing' }));
    expect(missing).toMatchObject({ statusCode: 404, param: 'charge' });
    expect((await stripeError(stripe.refunds.create({}))).param).toBe('charge');
    const both = await stripeError(
      stripe.refunds.create({ charge: charge.id, payment_intent: charge.payment_intent as string }),
    );
    expect(both.statusCode).toBe(400);
    expect((await stripe.charges.retrieve(charge.id)).amount_refunded).toBe(0);
    expect(await eventsOf('charge.refunded')).toEqual([]);
    await stripe.refunds.create({ charge: charge.id });
    expect((await stripeError(stripe.refunds.create({ charge: charge.id }))).statusCode).toBe(400);
  });
});

describe('disputes (test helper)', () => {
  it('opens a dispute on a charge and closes it won, with charge.dispute.created and charge.dispute.closed', async () => {
    const charge = await paidCharge();
    const opened = (await adminPost(emulator, '/_emulator/disputes', {
      charge: charge.id,
    })) as Stripe.Dispute;
    expect(opened).toMatchObject({
      object: 'dispute',
      charge: charge.id,
      amount: 999,
      status: 'needs_response',
      reason: 'fraudulent',
    });
    expect((await stripe.charges.retrieve(charge.id)).disputed).toBe(true);
    expect(
      (await eventsOf('charge.dispute.created')).map((e) => (e.data.object as Stripe.Dispute).id),
    ).toEqual([opened.id]);
    await adminPost(emulator, `/_emulator/disputes/${opened.id}/close`, { status: 'won' });
    expect((await stripe.disputes.retrieve(opened.id)).status).toBe('won');
    const [closed] = await eventsOf('charge.dispute.closed');
    expect((closed?.data.object as Stripe.Dispute | undefined)?.status).toBe('won');
    expect(closed?.data.previous_attributes).toEqual({ status: 'needs_response' });
    // Closed once only.
    const again = await fetch(`${emulator.url}/_emulator/disputes/${opened.id}/close`, {
      method: 'POST',
      body: JSON.stringify({ status: 'lost' }),
    });
    expect(again.status).toBe(400);
  });

  it('loses a dispute the seller accepts over the API; refuses a second dispute and bad input', async () => {
    const charge = await paidCharge();
    const opened = (await adminPost(emulator, '/_emulator/disputes', {
      charge: charge.id,
      reason: 'subscription_canceled',
    })) as Stripe.Dispute;
    const accepted = await stripe.disputes.close(opened.id);
    expect(accepted.status).toBe('lost');
    expect((await eventsOf('charge.dispute.closed')).length).toBe(1);
    const post = (body: unknown) =>
      fetch(`${emulator.url}/_emulator/disputes`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ charge: charge.id })).status).toBe(400);
    expect((await post({ charge: 'ch_missing' })).status).toBe(404);
    expect((await post({})).status).toBe(400);
    const other = await paidCharge();
    expect((await post({ charge: other.id, reason: 'not_a_reason' })).status).toBe(400);
    expect((await stripe.disputes.list({ charge: other.id })).data).toEqual([]);
  });
});

describe('deleting a customer', () => {
  it('cancels its subscriptions, each with customer.subscription.deleted, then customer.deleted', async () => {
    const { subscription, customer } = await subscribe(emulator, catalog.monthly);
    const deleted = await stripe.customers.del(customer);
    expect(deleted).toEqual({ id: customer, object: 'customer', deleted: true });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
    const types = (await stripe.events.list({ limit: 3 })).data.map((e) => e.type);
    expect(types).toEqual([
      'customer.deleted',
      'customer.subscription.deleted',
      'checkout.session.completed',
    ]);
    const [event] = await eventsOf('customer.deleted');
    expect((event?.data.object as Stripe.Customer | undefined)?.email).toBe('buyer@example.com');
    // Stripe still answers the id, with the deleted stub; lists leave it out.
    expect(await stripe.customers.retrieve(customer)).toEqual(deleted);
    expect((await stripe.customers.list()).data.map((c) => c.id)).not.toContain(customer);
    expect((await stripeError(stripe.customers.del(customer))).statusCode).toBe(404);
    expect((await stripeError(stripe.customers.update(customer, { name: 'x' }))).statusCode).toBe(404);
  });

  it('stops retrying the open invoices of a deleted customer', async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Date.UTC(2027, 0, 10) / 1000 });
    const buyer = await stripe.customers.create({ email: 'gone@example.com', test_clock: clock.id });
    const { subscription } = await subscribe(emulator, catalog.monthly, CARD_FAILS_AT_RENEWAL, buyer);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time + 32 * DAY });
    const open = (await stripe.subscriptions.retrieve(subscription.id)).latest_invoice as string;
    expect((await stripe.invoices.retrieve(open)).next_payment_attempt).not.toBeNull();
    await stripe.customers.del(buyer.id);
    expect((await stripe.invoices.retrieve(open)).next_payment_attempt).toBeNull();
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time + 60 * DAY });
    expect((await stripe.invoices.retrieve(open)).attempt_count).toBe(1);
  });
});

describe('the invoice PDF', () => {
  it('serves a real one-page PDF whose cross-reference table points at its objects', async () => {
    const { subscription } = await subscribe(emulator, catalog.monthly);
    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    const res = await fetch(invoice.invoice_pdf as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer()).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4\n')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((o, i) => {
      expect(pdf.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
    expect(pdf).toContain(`(Invoice ${invoice.number}) Tj`);
    expect(pdf).toContain('Total: \x809.99');
    expect((await fetch(`${emulator.url}/i/in_missing/pdf`)).status).toBe(404);
  });
});

describe('paging for reconciliation', () => {
  it('pages subscriptions with limit, starting_after and has_more; the SDK’s auto-paging sees each once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.unshift((await subscribe(emulator, catalog.monthly)).subscription.id);
    const first = await stripe.subscriptions.list({ limit: 2 });
    expect(first.data.map((s) => s.id)).toEqual(ids.slice(0, 2));
    expect(first.has_more).toBe(true);
    const second = await stripe.subscriptions.list({ limit: 2, starting_after: first.data[1]?.id as string });
    expect(second.data.map((s) => s.id)).toEqual(ids.slice(2, 4));
    const last = await stripe.subscriptions.list({ limit: 2, starting_after: second.data[1]?.id as string });
    expect(last.data.map((s) => s.id)).toEqual(ids.slice(4));
    expect(last.has_more).toBe(false);
    expect(await stripe.subscriptions.list({ limit: 2 }).autoPagingToArray({ limit: 100 })).toHaveLength(5);
    const customers = await stripe.customers.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(new Set(customers.map((c) => c.id)).size).toBe(5);
  });

  it('lists events since a time and of some types, for a catch-up', async () => {
    await subscribe(emulator, catalog.monthly);
    const all = (await stripe.events.list({ limit: 100 })).data;
    await emulator.advanceTime(3600);
    const since = (all[0]?.created as number) + 1800;
    expect((await stripe.events.list({ created: { gte: since } })).data).toEqual([]);
    const { subscription } = await subscribe(emulator, catalog.monthly);
    const recent = await stripe.events.list({
      created: { gte: since },
      types: ['customer.subscription.created', 'checkout.session.completed'],
    });
    expect(recent.data.map((e) => e.type)).toEqual([
      'checkout.session.completed',
      'customer.subscription.created',
    ]);
    expect((recent.data[1]?.data.object as Stripe.Subscription | undefined)?.id).toBe(subscription.id);
    const paged = await stripe.events
      .list({ created: { gte: since }, limit: 3 })
      .autoPagingToArray({ limit: 1000 });
    expect(paged.length).toBe(
      (await stripe.events.list({ created: { gte: since }, limit: 100 })).data.length,
    );
    expect(
      (await stripeError(stripe.events.list({ created: { gte: 'soon' as unknown as number } }))).statusCode,
    ).toBe(400);
  });
});
