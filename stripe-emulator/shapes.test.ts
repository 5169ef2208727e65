// Every object carries the fields of Stripe's own example of it, and no field Stripe does not send.
// stripe-fields.json lists those fields, taken from Stripe's fixtures3.json for the API version the
// installed SDK speaks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import { emulatorForTest, seedCatalog, subscribe } from './testing';

const FIELDS = (
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'stripe-fields.json'), 'utf8')) as {
    fields: Record<string, string[]>;
  }
).fields;
// The example invoice still shows `subscription`; this API version's types moved it to `parent`.
const NOT_IN_THIS_VERSION: Record<string, string[]> = { invoice: ['subscription'] };
// Stripe answers the endpoint's secret once, at creation.
const ONLY_AT_CREATION: Record<string, string[]> = { webhook_endpoint: ['secret'] };

let emulator: StripeEmulator;
let objects: Record<string, object>;
beforeAll(async () => {
  emulator = await emulatorForTest();
  const s = emulator.stripe();
  const { product, monthly } = await seedCatalog(s);
  const { session, subscription, customer } = await subscribe(emulator, monthly);
  const sub = await s.subscriptions.retrieve(subscription.id);
  objects = {
    product,
    price: monthly,
    customer: (await s.customers.retrieve(customer)) as Stripe.Customer,
    'checkout.session': await s.checkout.sessions.retrieve(session.id),
    subscription: sub,
    subscription_item: sub.items.data[0] as Stripe.SubscriptionItem,
    invoice: await s.invoices.retrieve(sub.latest_invoice as string),
    'billing_portal.session': await s.billingPortal.sessions.create({ customer }),
    webhook_endpoint: await s.webhookEndpoints.create({ url: 'http://hooks.test/x', enabled_events: ['*'] }),
    event: (await s.events.list({ limit: 1 })).data[0] as Stripe.Event,
    'test_helpers.test_clock': await s.testHelpers.testClocks.create({ frozen_time: 1_800_000_000 }),
  };
});
afterAll(() => emulator.stop());

describe('object shapes', () => {
  it.each(Object.keys(FIELDS))('%s has the fields of Stripe’s example, and no others', (type) => {
    const all = FIELDS[type] as string[];
    const expected = all.filter((k) => !NOT_IN_THIS_VERSION[type]?.includes(k));
    const ours = Object.keys(objects[type] as object);
    expect(expected.filter((k) => !ours.includes(k))).toEqual([]);
    expect(ours.filter((k) => !all.includes(k) && !ONLY_AT_CREATION[type]?.includes(k))).toEqual([]);
  });

  it('covers every object the emulator serves', () => {
    expect(Object.keys(objects).sort()).toEqual(Object.keys(FIELDS).sort());
  });
});
