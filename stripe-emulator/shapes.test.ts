// The emulator's objects, as it answers them over HTTP, compiled against the installed SDK's types at
// every depth (typecheck-shapes.ts). Each scenario below leaves objects of one kind in the states the
// emulator can put them in; every object and every event it recorded is checked.
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import {
  adminPost,
  CARD_3DS,
  CARD_FAILS_AT_RENEWAL,
  chargeOf,
  DAY,
  emulatorForTest,
  seedCatalog,
  subscribe,
} from './testing';
import { type Sample, typecheckShapes } from './typecheck-shapes';

let emulator: StripeEmulator;
const samples: Sample[] = [];

/** The JSON the emulator answers, as the wire carries it (the SDK would turn decimals into objects). */
async function raw(pathAndQuery: string): Promise<unknown> {
  const res = await fetch(`${emulator.url}${pathAndQuery}`, {
    headers: { authorization: 'Bearer sk_test_shapes' },
  });
  if (!res.ok) throw new Error(`${pathAndQuery} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function add(label: string, type: string, pathAndQuery: string): Promise<void> {
  samples.push({ label, type, value: await raw(pathAndQuery) });
}

beforeAll(async () => {
  emulator = await emulatorForTest();
  const s = emulator.stripe();
  const { product, monthly } = await seedCatalog(s);
  const { session, subscription, customer } = await subscribe(emulator, monthly);
  const sub = await s.subscriptions.retrieve(subscription.id);
  await add('product', 'Stripe.Product', `/v1/products/${product.id}`);
  await add('price', 'Stripe.Price', `/v1/prices/${monthly.id}`);
  await add('customer', 'Stripe.Customer', `/v1/customers/${customer}`);
  await add('checkout session', 'Stripe.Checkout.Session', `/v1/checkout/sessions/${session.id}`);
  await add(
    'checkout session, expanded',
    'Stripe.Checkout.Session',
    `/v1/checkout/sessions/${session.id}?expand[]=line_items&expand[]=subscription&expand[]=customer&expand[]=invoice`,
  );
  await add('subscription', 'Stripe.Subscription', `/v1/subscriptions/${sub.id}`);
  await add('invoice', 'Stripe.Invoice', `/v1/invoices/${sub.latest_invoice as string}`);
  await add('subscription list', 'Stripe.ApiList<Stripe.Subscription>', '/v1/subscriptions?status=all');
  const portal = await s.billingPortal.sessions.create({ customer });
  samples.push({ label: 'portal session', type: 'Stripe.BillingPortal.Session', value: portal });
  const endpoint = await s.webhookEndpoints.create({ url: 'http://hooks.test/x', enabled_events: ['*'] });
  samples.push({ label: 'webhook endpoint (created)', type: 'Stripe.WebhookEndpoint', value: endpoint });
  await add('webhook endpoint', 'Stripe.WebhookEndpoint', `/v1/webhook_endpoints/${endpoint.id}`);
  const clock = await s.testHelpers.testClocks.create({ frozen_time: 1_800_000_000 });
  await add('test clock', 'Stripe.TestHelpers.TestClock', `/v1/test_helpers/test_clocks/${clock.id}`);

  // Money: the first invoice's payment, charge, a partial refund, a dispute opened and closed.
  const invoiceId = sub.latest_invoice as string;
  await add('invoice with payments', 'Stripe.Invoice', `/v1/invoices/${invoiceId}?expand[]=payments`);
  await add(
    'invoice payments',
    'Stripe.ApiList<Stripe.InvoicePayment>',
    `/v1/invoice_payments?invoice=${invoiceId}`,
  );
  const charge = await chargeOf(s, invoiceId);
  await add(
    'payment intent',
    'Stripe.PaymentIntent',
    `/v1/payment_intents/${charge.payment_intent as string}`,
  );
  const refund = await s.refunds.create({ charge: charge.id, amount: 100 });
  await add('refund', 'Stripe.Refund', `/v1/refunds/${refund.id}`);
  await add('charge', 'Stripe.Charge', `/v1/charges/${charge.id}`);
  const dispute = (await adminPost(emulator, '/_emulator/disputes', { charge: charge.id })) as { id: string };
  await adminPost(emulator, `/_emulator/disputes/${dispute.id}/close`, { status: 'won' });
  await add('dispute', 'Stripe.Dispute', `/v1/disputes/${dispute.id}`);

  // A trial, a renewal that fails, one that waits for 3-D Secure, a deleted customer.
  const { subscription: trial } = await subscribe(emulator, monthly, undefined, undefined, {
    subscription_data: { trial_period_days: 7 },
  });
  await add('trialing subscription', 'Stripe.Subscription', `/v1/subscriptions/${trial.id}`);
  const { subscription: failing } = await subscribe(emulator, monthly, CARD_FAILS_AT_RENEWAL);
  const { subscription: secure, customer: secureCustomer } = await subscribe(emulator, monthly, CARD_3DS);
  await emulator.advanceTime(32 * DAY);
  await add('past_due subscription', 'Stripe.Subscription', `/v1/subscriptions/${failing.id}`);
  const waiting = await s.subscriptions.retrieve(secure.id);
  await add(
    'invoice waiting for 3-D Secure',
    'Stripe.Invoice',
    `/v1/invoices/${waiting.latest_invoice as string}`,
  );
  const waitingCharge = await s.invoices.retrieve(waiting.latest_invoice as string, { expand: ['payments'] });
  await add(
    'payment intent requiring action',
    'Stripe.PaymentIntent',
    `/v1/payment_intents/${waitingCharge.payments?.data[0]?.payment.payment_intent as string}`,
  );
  const deleted = await s.customers.del(secureCustomer);
  samples.push({ label: 'deleted customer', type: 'Stripe.DeletedCustomer', value: deleted });
  await add('deleted customer, retrieved', 'Stripe.DeletedCustomer', `/v1/customers/${secureCustomer}`);
  const open = await s.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: monthly.id, quantity: 1 }],
    success_url: 'http://app.test/ok',
  });
  await s.checkout.sessions.expire(open.id);
  await add('expired session', 'Stripe.Checkout.Session', `/v1/checkout/sessions/${open.id}`);
  await add('charges list', 'Stripe.ApiList<Stripe.Charge>', '/v1/charges?limit=100');
  // Every event the scenarios produced, each with the object it carried then.
  for (let page = (await raw('/v1/events?limit=100')) as Stripe.ApiList<{ id: string; type: string }>; ; ) {
    for (const e of page.data)
      samples.push({ label: `event ${e.type} ${e.id}`, type: 'Stripe.Event', value: e });
    if (!page.has_more) break;
    page = (await raw(`/v1/events?limit=100&starting_after=${page.data.at(-1)?.id}`)) as typeof page;
  }
});
afterAll(() => emulator.stop());

describe('object shapes', () => {
  it('every object and event compiles against the SDK’s types, at every depth', () => {
    expect(typecheckShapes(samples)).toEqual([]);
  }, 60_000);

  it('the checker fails on a wrong enum, a missing field, an extra field and a wrong null', () => {
    const session = samples.find((x) => x.label === 'checkout session')?.value as Record<string, unknown>;
    const sub = samples.find((x) => x.label === 'subscription')?.value as Record<string, unknown>;
    const { current_period_end: _dropped, ...itemWithout } = (
      sub.items as { data: Record<string, unknown>[] }
    ).data[0] as Record<string, unknown>;
    const errors = typecheckShapes([
      { label: 'enum', type: 'Stripe.Checkout.Session', value: { ...session, ui_mode: 'hosted' } },
      {
        label: 'nested missing',
        type: 'Stripe.Subscription',
        value: { ...sub, items: { ...(sub.items as object), data: [itemWithout] } },
      },
      { label: 'extra', type: 'Stripe.Subscription', value: { ...sub, not_a_field: 1 } },
      { label: 'null', type: 'Stripe.Subscription', value: { ...sub, customer: null } },
    ]);
    for (const label of ['enum', 'nested missing', 'extra', 'null'])
      expect(
        errors.some((e) => e.startsWith(`${label}:`)),
        label,
      ).toBe(true);
  }, 60_000);
});
