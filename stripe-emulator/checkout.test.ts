// Checkout Sessions through the real stripe SDK, paid on the hosted page over plain HTTP.
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import {
  CARD_DECLINED,
  CARD_OK,
  type Catalog,
  DAY,
  emulatorForTest,
  payOnPage,
  seedCatalog,
  stripeError,
} from './testing';

let emulator: StripeEmulator;
let stripe: Stripe;
let catalog: Catalog;
beforeAll(async () => {
  emulator = await emulatorForTest();
  stripe = emulator.stripe();
  catalog = await seedCatalog(stripe);
});
afterAll(() => emulator.stop());

const SUCCESS = 'http://app.test/checkout/return?session_id={CHECKOUT_SESSION_ID}';
const CANCEL = 'http://app.test/checkout/return?canceled=1';

function sessionParams(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return {
    mode: 'subscription',
    line_items: [{ price: catalog.monthly.id, quantity: 1 }],
    success_url: SUCCESS,
    cancel_url: CANCEL,
    ...extra,
  } satisfies Stripe.Checkout.SessionCreateParams;
}

async function eventTypesFor(objectId: string): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100 });
  return events.data.filter((e) => (e.data.object as { id?: string }).id === objectId).map((e) => e.type);
}

describe('creating a session', () => {
  it('creates an open subscription session for a customer, with its hosted page url', async () => {
    const customer = await stripe.customers.create({ email: 'cs@example.com' });
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        customer: customer.id,
        client_reference_id: 'user_42',
        metadata: { user_id: 'user_42' },
        subscription_data: { metadata: { user_id: 'user_42' } },
        allow_promotion_codes: true,
        locale: 'fr',
      }),
    );
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'subscription',
      status: 'open',
      payment_status: 'unpaid',
      customer: customer.id,
      client_reference_id: 'user_42',
      metadata: { user_id: 'user_42' },
      locale: 'fr',
      success_url: SUCCESS,
      cancel_url: CANCEL,
      subscription: null,
      amount_total: 999,
      currency: 'eur',
      livemode: false,
    });
    expect(session.url).toBe(`${emulator.url}/c/pay/${session.id}`);
    expect(session.expires_at - session.created).toBe(DAY);
  });

  it('refuses a bad session and creates nothing', async () => {
    const before = (await stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const oneTime = await stripe.prices.create({
      product: catalog.product.id,
      currency: 'eur',
      unit_amount: 500,
    });
    const customer = await stripe.customers.create({ email: 'both@example.com' });
    const bad: Array<[Stripe.Checkout.SessionCreateParams, string]> = [
      [sessionParams({ line_items: [] }), 'line_items'],
      [sessionParams({ line_items: [{ price: oneTime.id, quantity: 1 }] }), 'line_items[0][price]'],
      [sessionParams({ success_url: 'siberiamix://nope' }), 'success_url'],
      [sessionParams({ mode: 'payment' }), 'mode'],
      [sessionParams({ customer: customer.id, customer_email: 'both@example.com' }), 'customer_email'],
      [sessionParams({ locale: 'xx' as 'fr' }), 'locale'],
      [sessionParams({ subscription_data: { trial_period_days: 0 } }), 'trial_period_days'],
    ];
    for (const [params, param] of bad) {
      const err = await stripeError(stripe.checkout.sessions.create(params));
      expect(err.statusCode, param).toBe(400);
      expect(err.param).toBe(param);
    }
    const missingPrice = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ line_items: [{ price: 'price_gone', quantity: 1 }] })),
    );
    expect(missingPrice.statusCode).toBe(404);
    expect((await stripe.checkout.sessions.list({ limit: 100 })).data.length).toBe(before);
  });
});

describe('paying on the hosted page', () => {
  it('shows the product, price, interval, test-mode notice and a Back link to cancel_url', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({ customer_email: 'page@example.com' }),
    );
    const res = await fetch(session.url as string);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Siberia Mix Pro');
    expect(html).toContain('€9.99');
    expect(html).toContain('per month');
    expect(html).toContain('page@example.com');
    expect(html).toContain('Test mode — no real payment');
    expect(html).toContain(`href="${CANCEL}"`);
    expect(html).toMatch(/<label for="card">Card number<\/label>/);
  });

  it('pays with 4242: 303 to success_url with the id, an active subscription and its events', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        customer_email: 'new-buyer@example.com',
        client_reference_id: 'user_7',
        subscription_data: { metadata: { user_id: 'user_7' } },
      }),
    );
    const res = await payOnPage(session.url as string, CARD_OK);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`http://app.test/checkout/return?session_id=${session.id}`);

    const done = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription.items.data.price.product', 'customer', 'line_items'],
    });
    expect(done.status).toBe('complete');
    expect(done.payment_status).toBe('paid');
    expect(done.url).toBeNull();
    const customer = done.customer as Stripe.Customer;
    expect(customer.email).toBe('new-buyer@example.com');
    expect(done.customer_details?.email).toBe('new-buyer@example.com');
    const sub = done.subscription as Stripe.Subscription;
    expect(sub.status).toBe('active');
    expect(sub.customer).toBe(customer.id);
    expect(sub.metadata).toEqual({ user_id: 'user_7' });
    const item = sub.items.data[0] as Stripe.SubscriptionItem;
    expect(item.price.id).toBe(catalog.monthly.id);
    expect((item.price.product as Stripe.Product).name).toBe('Siberia Mix Pro');
    // This API version keeps the period on the item: one calendar month.
    const start = new Date(item.current_period_start * 1000);
    start.setUTCMonth(start.getUTCMonth() + 1);
    expect(item.current_period_end).toBe(start.getTime() / 1000);
    expect(done.line_items?.data[0]?.price?.id).toBe(catalog.monthly.id);

    expect(await eventTypesFor(session.id)).toContain('checkout.session.completed');
    expect(await eventTypesFor(sub.id)).toContain('customer.subscription.created');
    const invoice = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 999, customer: customer.id });
    expect(await eventTypesFor(invoice.id as string)).toContain('invoice.paid');

    // A paid session cannot be paid again.
    const again = await payOnPage(session.url as string, CARD_OK);
    expect(again.status).toBe(409);
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(1);
  });

  it('keeps the session open with the message when the card is declined', async () => {
    const customer = await stripe.customers.create({ email: 'declined@example.com' });
    const session = await stripe.checkout.sessions.create(sessionParams({ customer: customer.id }));
    for (const card of [CARD_DECLINED, '1234']) {
      const res = await payOnPage(session.url as string, card);
      expect(res.status).toBe(402);
      expect(await res.text()).toMatch(card === CARD_DECLINED ? /Your card was declined/ : /invalid/);
    }
    const after = await stripe.checkout.sessions.retrieve(session.id);
    expect(after.status).toBe('open');
    expect(after.payment_status).toBe('unpaid');
    expect(after.subscription).toBeNull();
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
    // The same session still pays with a good card.
    expect((await payOnPage(session.url as string, CARD_OK)).status).toBe(303);
  });

  it('asks for an email when the session has neither customer nor email', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const res = await payOnPage(session.url as string, CARD_OK, 'not-an-email');
    expect(res.status).toBe(402);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    const ok = await payOnPage(session.url as string, CARD_OK, 'typed@example.com');
    expect(ok.status).toBe(303);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['customer'] });
    expect((done.customer as Stripe.Customer).email).toBe('typed@example.com');
  });

  it('answers 404 for an unknown session page', async () => {
    const res = await fetch(`${emulator.url}/c/pay/cs_test_missing`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Test mode — no real payment');
  });
});

describe('expiring', () => {
  it('expires an open session once, with its event; an expired session cannot be paid', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({ customer_email: 'exp@example.com' }),
    );
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe('expired');
    expect(expired.url).toBeNull();
    expect(await eventTypesFor(session.id)).toContain('checkout.session.expired');
    const err = await stripeError(stripe.checkout.sessions.expire(session.id));
    expect(err.statusCode).toBe(400);
    expect((await payOnPage(session.url as string, CARD_OK)).status).toBe(409);
  });

  it('expires sessions after 24 hours of emulator time', async () => {
    const own = await emulatorForTest();
    try {
      const s = own.stripe();
      const { monthly } = await seedCatalog(s);
      const session = await s.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: monthly.id, quantity: 1 }],
        success_url: SUCCESS,
      });
      await own.advanceTime(DAY - 60);
      expect((await s.checkout.sessions.retrieve(session.id)).status).toBe('open');
      await own.advanceTime(120);
      expect((await s.checkout.sessions.retrieve(session.id)).status).toBe('expired');
      const events = await s.events.list({ type: 'checkout.session.expired' });
      expect(events.data.map((e) => (e.data.object as Stripe.Checkout.Session).id)).toEqual([session.id]);
    } finally {
      await own.stop();
    }
  });
});

describe('listing', () => {
  it('lists sessions by customer and status', async () => {
    const customer = await stripe.customers.create({ email: 'lister@example.com' });
    const a = await stripe.checkout.sessions.create(sessionParams({ customer: customer.id }));
    const b = await stripe.checkout.sessions.create(sessionParams({ customer: customer.id }));
    await stripe.checkout.sessions.expire(a.id);
    const open = await stripe.checkout.sessions.list({ customer: customer.id, status: 'open' });
    expect(open.data.map((s) => s.id)).toEqual([b.id]);
    const all = await stripe.checkout.sessions.list({ customer: customer.id });
    expect(all.data.map((s) => s.id)).toEqual([b.id, a.id]);
  });
});
