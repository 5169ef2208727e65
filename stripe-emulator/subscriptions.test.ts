// Subscriptions, invoices and the billing portal through the real stripe SDK.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import { type Catalog, emulatorForTest, seedCatalog, stripeError, subscribe } from './testing';

let emulator: StripeEmulator;
let stripe: Stripe;
let catalog: Catalog;
beforeAll(async () => {
  emulator = await emulatorForTest();
  stripe = emulator.stripe();
  catalog = await seedCatalog(stripe);
});
afterAll(() => emulator.stop());

const itemOf = (sub: Stripe.Subscription) => sub.items.data[0] as Stripe.SubscriptionItem;

describe('listing', () => {
  it('lists by customer, leaving canceled ones out unless status=all or canceled', async () => {
    const { subscription: first, customer } = await subscribe(emulator, catalog.monthly);
    const buyer = (await stripe.customers.retrieve(customer)) as Stripe.Customer;
    const { subscription: second } = await subscribe(emulator, catalog.annual, undefined, buyer);
    await stripe.subscriptions.cancel(first.id);

    const listed = await stripe.subscriptions.list({ customer });
    expect(listed.data.map((s) => s.id)).toEqual([second.id]);
    const all = await stripe.subscriptions.list({ customer, status: 'all' });
    expect(all.data.map((s) => s.id).sort()).toEqual([first.id, second.id].sort());
    const canceled = await stripe.subscriptions.list({ customer, status: 'canceled' });
    expect(canceled.data.map((s) => s.id)).toEqual([first.id]);
    const active = await stripe.subscriptions.list({ customer, status: 'active' });
    expect(active.data.map((s) => s.id)).toEqual([second.id]);
    const err = await stripeError(stripe.subscriptions.list({ status: 'sleeping' as 'active' }));
    expect(err.param).toBe('status');
  });

  it('lists by test clock and by price, each filter alone and together', async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) });
    const onClock = await stripe.customers.create({ email: 'clocked@example.com', test_clock: clock.id });
    const { subscription: clocked } = await subscribe(emulator, catalog.monthly, undefined, onClock);
    const { subscription: annual } = await subscribe(emulator, catalog.annual);
    const ids = async (params: Stripe.SubscriptionListParams) =>
      (await stripe.subscriptions.list({ limit: 100, ...params })).data.map((s) => s.id);
    expect(await ids({ test_clock: clock.id })).toEqual([clocked.id]);
    expect(await ids({ price: catalog.annual.id })).toContain(annual.id);
    expect(await ids({ price: catalog.annual.id })).not.toContain(clocked.id);
    expect(await ids({ test_clock: clock.id, price: catalog.annual.id })).toEqual([]);
    expect(await ids({ test_clock: clock.id, price: catalog.monthly.id })).toEqual([clocked.id]);
  });
});

describe('updating', () => {
  it('sets and clears cancel_at_period_end, with customer.subscription.updated', async () => {
    const { subscription } = await subscribe(emulator, catalog.monthly);
    const end = itemOf(subscription).current_period_end;
    const canceling = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(canceling.cancel_at_period_end).toBe(true);
    expect(canceling.cancel_at).toBe(end);
    expect(canceling.status).toBe('active');
    const resumed = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false });
    expect(resumed.cancel_at_period_end).toBe(false);
    expect(resumed.cancel_at).toBeNull();

    const events = await stripe.events.list({ type: 'customer.subscription.updated', limit: 100 });
    const mine = events.data.filter((e) => (e.data.object as Stripe.Subscription).id === subscription.id);
    // Newest first; each event carries the subscription as it was then (the oldest: paid, incomplete → active).
    expect(mine.map((e) => (e.data.object as Stripe.Subscription).cancel_at_period_end)).toEqual([
      false,
      true,
      false,
    ]);
    expect(mine[1]?.data.previous_attributes).toMatchObject({ cancel_at_period_end: false });
  });

  it('switches the item’s price, monthly to annual', async () => {
    const { subscription } = await subscribe(emulator, catalog.monthly);
    const item = itemOf(subscription);
    const switched = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: catalog.annual.id }],
      proration_behavior: 'none',
      expand: ['items.data.price.product'],
    });
    expect(itemOf(switched).id).toBe(item.id);
    expect(itemOf(switched).price.id).toBe(catalog.annual.id);
    expect((itemOf(switched).price.product as Stripe.Product).object).toBe('product');
  });

  it('refuses a bad update and changes nothing', async () => {
    const { subscription } = await subscribe(emulator, catalog.monthly);
    const bad: Array<[Stripe.SubscriptionUpdateParams, number, string]> = [
      [
        { cancel_at_period_end: true, items: [{ id: 'si_other', price: catalog.annual.id }] },
        404,
        'items[0][id]',
      ],
      [{ cancel_at_period_end: true, items: [{ price: 'price_gone' }] }, 404, 'items[0][price]'],
      [{ cancel_at_period_end: true, metadata: { a: 'b' }, trial_end: 'now' }, 400, 'trial_end'],
    ];
    for (const [params, status, param] of bad) {
      const err = await stripeError(stripe.subscriptions.update(subscription.id, params));
      expect(err.statusCode).toBe(status);
      expect(err.param).toBe(param);
    }
    const after = await stripe.subscriptions.retrieve(subscription.id);
    expect(after.cancel_at_period_end).toBe(false);
    expect(after.metadata).toEqual({});
    expect(itemOf(after).price.id).toBe(catalog.monthly.id);
  });

  it('cancels now with customer.subscription.deleted; a canceled subscription cannot change', async () => {
    const { subscription } = await subscribe(emulator, catalog.monthly);
    const canceled = await stripe.subscriptions.cancel(subscription.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.ended_at).not.toBeNull();
    const events = await stripe.events.list({ type: 'customer.subscription.deleted', limit: 100 });
    expect(events.data.map((e) => (e.data.object as Stripe.Subscription).id)).toContain(subscription.id);
    expect(
      (await stripeError(stripe.subscriptions.update(subscription.id, { metadata: { a: 'b' } }))).statusCode,
    ).toBe(400);
    expect((await stripeError(stripe.subscriptions.cancel(subscription.id))).statusCode).toBe(400);
  });

  it('answers 404 for a missing subscription', async () => {
    const err = await stripeError(stripe.subscriptions.retrieve('sub_missing'));
    expect(err.code).toBe('resource_missing');
  });
});

describe('creating over the API', () => {
  it('creates an active subscription charged to the customer’s card', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa' });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: catalog.monthly.id }],
      metadata: { user_id: 'api' },
      expand: ['latest_invoice'],
    });
    expect(sub.status).toBe('active');
    expect(sub.metadata).toEqual({ user_id: 'api' });
    expect((sub.latest_invoice as Stripe.Invoice).status).toBe('paid');
  });

  it('answers 402 card_error and creates nothing when the card is declined and must not be', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_chargeDeclined' });
    const err = await stripeError(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: catalog.monthly.id }],
        payment_behavior: 'error_if_incomplete',
      }),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe('card_declined');
    expect(err.decline_code).toBe('generic_decline');
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
  });

  it('leaves a declined first payment incomplete, then incomplete_expired after 23 hours', async () => {
    const own = await emulatorForTest();
    try {
      const s = own.stripe();
      const { monthly } = await seedCatalog(s);
      const customer = await s.customers.create({ payment_method: 'pm_card_chargeDeclined' });
      const sub = await s.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
      expect(sub.status).toBe('incomplete');
      expect((await s.invoices.retrieve(sub.latest_invoice as string)).status).toBe('open');
      expect((await s.subscriptions.list({ status: 'incomplete' })).data.map((x) => x.id)).toEqual([sub.id]);
      await own.advanceTime(23 * 3600 + 1);
      const expired = await s.subscriptions.retrieve(sub.id);
      expect(expired.status).toBe('incomplete_expired');
      expect((await s.invoices.retrieve(sub.latest_invoice as string)).status).toBe('void');
      // Stripe's default list leaves ended subscriptions out.
      expect((await s.subscriptions.list({ customer: customer.id })).data).toEqual([]);
    } finally {
      await own.stop();
    }
  });

  it('refuses bad subscriptions', async () => {
    const customer = await stripe.customers.create({});
    const oneTime = await stripe.prices.create({
      product: catalog.product.id,
      currency: 'eur',
      unit_amount: 1,
    });
    const cases: Array<[Stripe.SubscriptionCreateParams, string]> = [
      [{ customer: customer.id, items: [] }, 'items'],
      [{ customer: customer.id, items: [{ price: oneTime.id }] }, 'items[0][price]'],
      [{ customer: customer.id, items: [{ price: catalog.monthly.id, quantity: 3 }] }, 'items[0][quantity]'],
      [
        { customer: customer.id, items: [{ price: catalog.monthly.id }], payment_behavior: 'maybe' },
        'payment_behavior',
      ],
    ];
    for (const [params, param] of cases) {
      const err = await stripeError(stripe.subscriptions.create(params));
      expect(err.statusCode).toBe(400);
      expect(err.param).toBe(param);
    }
    expect(
      (
        await stripeError(
          stripe.subscriptions.create({ customer: 'cus_gone', items: [{ price: catalog.monthly.id }] }),
        )
      ).statusCode,
    ).toBe(404);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
  });
});

describe('invoices', () => {
  it('lists the invoices of a subscription and of a customer', async () => {
    const { subscription, customer } = await subscribe(emulator, catalog.monthly);
    const bySub = await stripe.invoices.list({ subscription: subscription.id });
    expect(bySub.data).toHaveLength(1);
    const invoice = bySub.data[0] as Stripe.Invoice;
    expect(invoice.id).toMatch(/^in_/);
    expect(invoice).toMatchObject({
      object: 'invoice',
      status: 'paid',
      billing_reason: 'subscription_create',
      customer,
      amount_due: 999,
    });
    expect(invoice.parent?.subscription_details?.subscription).toBe(subscription.id);
    expect(invoice.lines.data[0]?.period.end).toBe(itemOf(subscription).current_period_end);
    expect((await stripe.invoices.list({ customer })).data.map((i) => i.id)).toEqual([invoice.id]);
  });
});

describe('billing portal', () => {
  it('creates a session whose url is the hosted portal', async () => {
    const { customer } = await subscribe(emulator, catalog.monthly);
    const session = await stripe.billingPortal.sessions.create({
      customer,
      return_url: 'http://app.test/account',
    });
    expect(session).toMatchObject({
      object: 'billing_portal.session',
      customer,
      return_url: 'http://app.test/account',
      livemode: false,
    });
    expect(session.url).toBe(`${emulator.url}/p/session/${session.id}`);
    const html = await (await fetch(session.url)).text();
    expect(html).toContain('Siberia Mix Pro');
    expect(html).toContain('€9.99');
    expect(html).toContain('Renews on');
    expect(html).toContain('href="http://app.test/account"');
    expect(html).toContain('Test mode — no real payment');
  });

  it('switches plan, cancels at period end and resumes from the hosted portal', async () => {
    const { customer, subscription } = await subscribe(emulator, catalog.monthly);
    const session = await stripe.billingPortal.sessions.create({ customer, return_url: 'http://app.test/a' });
    const act = (form: Record<string, string>) =>
      fetch(session.url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });

    const switched = await act({ action: 'switch', price: catalog.annual.id });
    expect(switched.status).toBe(303);
    const shown = new URL(switched.headers.get('location') as string, session.url).href;
    expect(shown).toBe(`${session.url}?done=switch`);
    expect(await (await fetch(shown)).text()).toContain('Your plan was changed.');
    expect(itemOf(await stripe.subscriptions.retrieve(subscription.id)).price.id).toBe(catalog.annual.id);
    expect((await act({ action: 'cancel' })).status).toBe(303);
    const canceling = await stripe.subscriptions.retrieve(subscription.id);
    expect(canceling.cancel_at_period_end).toBe(true);
    expect(await (await fetch(session.url)).text()).toContain('Cancels on');
    expect((await act({ action: 'resume' })).status).toBe(303);
    expect((await stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(false);

    const bad = await act({ action: 'teleport' });
    expect(bad.status).toBe(400);
    expect((await act({ action: 'switch', price: 'price_gone' })).status).toBe(404);
    expect(itemOf(await stripe.subscriptions.retrieve(subscription.id)).price.id).toBe(catalog.annual.id);
  });

  it('refuses a missing customer and a bad return_url', async () => {
    expect(
      (await stripeError(stripe.billingPortal.sessions.create({ customer: 'cus_gone' }))).statusCode,
    ).toBe(404);
    const customer = await stripe.customers.create({});
    const err = await stripeError(
      stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'javascript:alert(1)' }),
    );
    expect(err.param).toBe('return_url');
  });
});
