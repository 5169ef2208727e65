// Webhook endpoints, events and signed delivery, checked by a receiver using the SDK's constructEvent.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import { emulatorForTest, FIRST_PAID, startReceiver, stripeError, subscribe, seedCatalog } from './testing';

let emulator: StripeEmulator;
let stripe: Stripe;
const closers: Array<() => Promise<void>> = [];
beforeEach(async () => {
  emulator = await emulatorForTest({ webhookSecret: 'whsec_forward_test' });
  stripe = emulator.stripe();
});
afterEach(async () => {
  await emulator.stop();
  for (const close of closers.splice(0)) await close();
});

async function receiver(secret: () => string, answer?: (e: Stripe.Event) => number) {
  const r = await startReceiver(secret, answer);
  closers.push(r.close);
  return r;
}

describe('webhook endpoints', () => {
  it('creates an endpoint with its secret, lists, retrieves and deletes it', async () => {
    const created = await stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['customer.subscription.updated', 'invoice.paid'],
      metadata: { env: 'test' },
    });
    expect(created.id).toMatch(/^we_/);
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ object: 'webhook_endpoint', status: 'enabled', livemode: false });
    expect(created.enabled_events).toEqual(['customer.subscription.updated', 'invoice.paid']);
    const listed = await stripe.webhookEndpoints.list();
    expect(listed.data.map((e) => e.id)).toEqual([created.id]);
    // Stripe shows the secret only once, at creation.
    expect(listed.data[0]?.secret).toBeUndefined();
    expect((await stripe.webhookEndpoints.retrieve(created.id)).url).toBe('http://127.0.0.1:9/hook');
    const deleted = await stripe.webhookEndpoints.del(created.id);
    expect(deleted).toMatchObject({ id: created.id, deleted: true });
    expect((await stripeError(stripe.webhookEndpoints.retrieve(created.id))).statusCode).toBe(404);
    expect((await stripeError(stripe.webhookEndpoints.del(created.id))).statusCode).toBe(404);
    expect((await stripe.webhookEndpoints.list()).data).toEqual([]);
  });

  it('refuses an endpoint without a url or events', async () => {
    const noUrl = await stripeError(
      stripe.webhookEndpoints.create({ url: 'ftp://x', enabled_events: ['*'] }),
    );
    expect(noUrl.param).toBe('url');
    const noEvents = await stripeError(
      stripe.webhookEndpoints.create({ url: 'http://x.test', enabled_events: [] }),
    );
    expect(noEvents.param).toBe('enabled_events');
    expect((await stripe.webhookEndpoints.list()).data).toEqual([]);
  });
});

describe('events', () => {
  it('retrieves and lists events, each carrying the object as it was then', async () => {
    const customer = await stripe.customers.create({ email: 'snap@example.com', name: 'First' });
    await stripe.customers.update(customer.id, { name: 'Second' });
    await stripe.customers.update(customer.id, { name: 'Third' });
    const updates = await stripe.events.list({ type: 'customer.updated' });
    expect(updates.data.map((e) => (e.data.object as Stripe.Customer).name)).toEqual(['Third', 'Second']);
    expect(updates.data.map((e) => e.data.previous_attributes)).toEqual([
      { name: 'Second' },
      { name: 'First' },
    ]);
    const first = updates.data[1] as Stripe.Event;
    expect(first.id).toMatch(/^evt_/);
    expect(first).toMatchObject({ object: 'event', api_version: Stripe.API_VERSION, livemode: false });
    expect(await stripe.events.retrieve(first.id)).toEqual(first);
    const customers = await stripe.events.list({ type: 'customer.*' });
    expect(customers.data.map((e) => e.type)).toEqual([
      'customer.updated',
      'customer.updated',
      'customer.created',
    ]);
    expect((await stripeError(stripe.events.retrieve('evt_missing'))).statusCode).toBe(404);
  });
});

describe('delivery', () => {
  it('signs as Stripe does: the SDK’s constructEvent accepts it, with the endpoint’s own secret', async () => {
    let endpointSecret = '';
    const all = await receiver(() => endpointSecret);
    const endpoint = await stripe.webhookEndpoints.create({ url: all.url, enabled_events: ['*'] });
    endpointSecret = endpoint.secret as string;
    const forwarded = await receiver(() => emulator.webhookSecret);
    emulator.setForwardTo(forwarded.url);
    const wrongSecret = await receiver(() => 'whsec_not_the_right_one');
    await stripe.webhookEndpoints.create({ url: wrongSecret.url, enabled_events: ['*'] });

    const customer = await stripe.customers.create({ email: 'signed@example.com' });
    await emulator.idle();
    expect(emulator.webhookSecret).toBe('whsec_forward_test');
    for (const r of [all, forwarded]) {
      expect(r.rejected).toEqual([]);
      expect(r.types()).toEqual(['customer.created']);
      expect((r.received[0]?.event.data.object as Stripe.Customer | undefined)?.id).toBe(customer.id);
      expect(r.received[0]?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    }
    expect(wrongSecret.received).toEqual([]);
    expect(wrongSecret.rejected[0]).toMatch(/signature/i);
  });

  it('sends an endpoint only the events it enabled', async () => {
    let secret = '';
    const r = await receiver(() => secret);
    secret = (await stripe.webhookEndpoints.create({ url: r.url, enabled_events: ['customer.updated'] }))
      .secret as string;
    const customer = await stripe.customers.create({});
    await stripe.customers.update(customer.id, { name: 'x' });
    await emulator.idle();
    expect(r.types()).toEqual(['customer.updated']);
  });

  it('delivers a purchase’s events in creation order', async () => {
    const r = await receiver(() => emulator.webhookSecret);
    emulator.setForwardTo(r.url);
    const { monthly } = await seedCatalog(stripe);
    await subscribe(emulator, monthly);
    await emulator.idle();
    const created = (await stripe.events.list({ limit: 100 })).data.map((e) => e.id).reverse();
    expect(r.received.map((x) => x.event.id)).toEqual(created);
    const billing = /^(customer|invoice|checkout)\./;
    expect(r.types().filter((t) => billing.test(t))).toEqual([
      'customer.created',
      ...FIRST_PAID,
      'checkout.session.completed',
    ]);
  });

  it('retries a 500 with back-off until the receiver answers 2xx', async () => {
    let calls = 0;
    const r = await receiver(
      () => emulator.webhookSecret,
      () => (++calls <= 2 ? 500 : 200),
    );
    emulator.setForwardTo(r.url);
    const customer = await stripe.customers.create({});
    await emulator.idle();
    const attempts = emulator.deliveries();
    expect(attempts.map((a) => [a.type, a.attempt, a.status])).toEqual([
      ['customer.created', 1, 500],
      ['customer.created', 2, 500],
      ['customer.created', 3, 200],
    ]);
    expect(new Set(r.received.map((x) => (x.event.data.object as Stripe.Customer).id))).toEqual(
      new Set([customer.id]),
    );
    const overHttp = (await (await fetch(`${emulator.url}/_emulator/deliveries`)).json()) as {
      data: Array<{ status: number; url: string; eventId: string; at: string }>;
    };
    expect(overHttp.data.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(overHttp.data[0]?.url).toBe(r.url);
    expect(overHttp.data[0]?.eventId).toMatch(/^evt_/);
  });

  it('gives up after maxAttempts', async () => {
    emulator.setDelivery({ maxAttempts: 3 });
    const r = await receiver(
      () => emulator.webhookSecret,
      () => 503,
    );
    emulator.setForwardTo(r.url);
    await stripe.customers.create({});
    await emulator.idle();
    expect(emulator.deliveries().map((a) => a.status)).toEqual([503, 503, 503]);
  });

  it('counts a receiver that does not answer in time as failed, and retries it', async () => {
    const hanging = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          hanging.close(() => resolve());
          hanging.closeAllConnections();
        }),
    );
    emulator.setDelivery({ timeoutMs: 100, maxAttempts: 2 });
    emulator.setForwardTo(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`);
    await stripe.customers.create({});
    await emulator.idle();
    const attempts = emulator.deliveries();
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, null],
      [2, null],
    ]);
    expect(attempts[0]?.error).toBeTruthy();
  });

  it('delivers each event twice with duplicate on', async () => {
    const r = await receiver(() => emulator.webhookSecret);
    emulator.setForwardTo(r.url);
    emulator.setDelivery({ duplicate: true });
    const customer = await stripe.customers.create({});
    await stripe.customers.update(customer.id, { name: 'twice' });
    await emulator.idle();
    expect(r.types()).toEqual([
      'customer.created',
      'customer.created',
      'customer.updated',
      'customer.updated',
    ]);
    expect(r.received[0]?.event.id).toBe(r.received[1]?.event.id);
  });

  it('shuffles the order with shuffle on, set over the admin route', async () => {
    const r = await receiver(() => emulator.webhookSecret);
    emulator.setForwardTo(r.url);
    // Held first so that every event is queued before the first one leaves.
    const res = await fetch(`${emulator.url}/_emulator/delivery`, {
      method: 'POST',
      body: JSON.stringify({ shuffle: true, delayMs: 50 }),
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 20; i++) await stripe.products.create({ name: `p${i}` });
    await emulator.idle();
    const created = (await stripe.events.list({ limit: 100 })).data.map((e) => e.id).reverse();
    const delivered = r.received.map((x) => x.event.id);
    expect([...delivered].sort()).toEqual([...created].sort());
    // 20 events in creation order by chance: 1 in 20! (about 4 × 10^-19).
    expect(delivered).not.toEqual(created);
  });

  it('holds deliveries with delayMs, so the API answers before the webhook arrives', async () => {
    const r = await receiver(() => emulator.webhookSecret);
    emulator.setForwardTo(r.url);
    emulator.setDelivery({ delayMs: 1500 });
    await stripe.customers.create({});
    expect(r.received).toEqual([]);
    await emulator.idle();
    expect(r.types()).toEqual(['customer.created']);
  });

  it('stops forwarding with setForwardTo(null)', async () => {
    const r = await receiver(() => emulator.webhookSecret);
    emulator.setForwardTo(r.url);
    await stripe.customers.create({});
    await emulator.idle();
    emulator.setForwardTo(null);
    await stripe.customers.create({});
    await emulator.idle();
    expect(r.types()).toEqual(['customer.created']);
  });

  it('refuses bad switches from code and keeps the old ones', async () => {
    expect(() => emulator.setDelivery({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => emulator.setDelivery({ shuffle: 'yes' as unknown as boolean })).toThrow(/shuffle/);
    const r = await receiver(() => emulator.webhookSecret);
    emulator.setForwardTo(r.url);
    await stripe.customers.create({});
    await emulator.idle();
    expect(emulator.deliveries()).toHaveLength(1);
  });
});

describe('reset', () => {
  it('clears every object, event and delivery', async () => {
    const r = await receiver(() => emulator.webhookSecret);
    emulator.setForwardTo(r.url);
    await seedCatalog(stripe);
    await emulator.idle();
    expect(emulator.deliveries().length).toBeGreaterThan(0);
    const res = await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await stripe.products.list()).data).toEqual([]);
    expect((await stripe.prices.list()).data).toEqual([]);
    expect((await stripe.events.list()).data).toEqual([]);
    expect(emulator.deliveries()).toEqual([]);
  });
});
