// The API's envelope through the real stripe SDK: keys, errors, idempotency, lists, versions.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, stripeClientFor } from './index';
import { emulatorForTest, stripeError } from './testing';

let emulator: StripeEmulator;
let stripe: Stripe;
beforeAll(async () => {
  emulator = await emulatorForTest();
  stripe = emulator.stripe();
});
afterAll(() => emulator.stop());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    body,
    headers: {
      authorization: 'Bearer sk_test_emulator',
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
  });

describe('authentication', () => {
  it('answers 401 without a key, in Stripe’s error shape', async () => {
    const res = await fetch(`${emulator.url}/v1/customers`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/API Key/);
  });

  it('refuses a live key and a malformed key through the SDK', async () => {
    for (const key of ['sk_live_abc', 'not_a_key', 'pk_test_abc']) {
      const err = await stripeError(stripeClientFor(emulator.url, key).customers.list());
      expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(err.statusCode).toBe(401);
    }
  });

  it('accepts any test secret key', async () => {
    const list = await stripeClientFor(emulator.url, 'sk_test_someone_else').customers.list();
    expect(list.object).toBe('list');
  });
});

describe('errors', () => {
  it('answers 404 resource_missing for an unknown id', async () => {
    const err = await stripeError(stripe.customers.retrieve('cus_missing'));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
    expect(err.param).toBe('id');
    expect(err.message).toBe("No such customer: 'cus_missing'");
  });

  it('answers 404 for an id of another type', async () => {
    const product = await stripe.products.create({ name: 'Not a price' });
    const err = await stripeError(stripe.prices.retrieve(product.id));
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
  });

  it('answers 400 parameter_unknown for an unknown parameter, and creates nothing', async () => {
    const before = (await stripe.customers.list({ limit: 100 })).data.length;
    const err = await stripeError(
      stripe.customers.create({ email: 'x@example.com', favourite_colour: 'blue' } as never),
    );
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('parameter_unknown');
    expect(err.param).toBe('favourite_colour');
    expect((await stripe.customers.list({ limit: 100 })).data.length).toBe(before);
  });

  it('answers 400 for a missing required parameter', async () => {
    const err = await stripeError(stripe.products.create({} as Stripe.ProductCreateParams));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('parameter_missing');
    expect(err.param).toBe('name');
  });

  it('answers 400 for a malformed form body, never crashing', async () => {
    for (const body of [
      'metadata[a=1',
      'a]=1',
      'metadata[x]=1&metadata=2',
      'line_items[99999][price]=p',
      '__proto__[admin]=1',
    ]) {
      const res = await post('/v1/customers', body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { type: string; code: string } };
      expect(json.error.type).toBe('invalid_request_error');
    }
    const res = await post('/v1/customers', '{"email":"json@example.com"}', {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    // The server still answers after all of that.
    expect((await stripe.customers.list()).object).toBe('list');
  });

  it('answers 400 for a value of the wrong kind', async () => {
    const err = await stripeError(stripe.customers.list({ limit: 'many' as never }));
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('limit');
  });

  it('answers 404 in Stripe’s shape for an unknown path, through the SDK and without it', async () => {
    const err = await stripeError(stripe.rawRequest('GET', '/v1/teleporters'));
    expect(err.statusCode).toBe(404);
    expect(err.message).toMatch(/Unrecognized request URL/);
    const res = await fetch(`${emulator.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('answers an unknown method on a known path with 404', async () => {
    const res = await fetch(`${emulator.url}/v1/customers`, {
      method: 'PUT',
      headers: { authorization: 'Bearer sk_test_emulator' },
    });
    expect(res.status).toBe(404);
  });
});

describe('idempotency', () => {
  it('answers the same key and body with the same response, creating once', async () => {
    const key = `idem-${Date.now()}`;
    const a = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    const b = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    expect(b.id).toBe(a.id);
    expect(b).toEqual(a);
    const found = await stripe.customers.list({ email: 'idem@example.com' });
    expect(found.data.map((c) => c.id)).toEqual([a.id]);
  });

  it('answers the same key with another body with 400 idempotency_error', async () => {
    const key = `idem-other-${Date.now()}`;
    await stripe.customers.create({ email: 'first@example.com' }, { idempotencyKey: key });
    const err = await stripeError(
      stripe.customers.create({ email: 'second@example.com' }, { idempotencyKey: key }),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
    expect(err.type).toBe('StripeIdempotencyError');
    expect(err.rawType).toBe('idempotency_error');
    expect((await stripe.customers.list({ email: 'second@example.com' })).data).toEqual([]);
  });

  it('marks a replayed answer', async () => {
    const key = `idem-replay-${Date.now()}`;
    const first = await post('/v1/products', 'name=Replayed', { 'idempotency-key': key });
    const again = await post('/v1/products', 'name=Replayed', { 'idempotency-key': key });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
  });
});

describe('lists', () => {
  it('pages with limit, starting_after and has_more, newest first', async () => {
    const tag = `page-${Date.now()}@example.com`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stripe.customers.create({ email: tag })).id);
    const first = await stripe.customers.list({ email: tag, limit: 2 });
    expect(first.object).toBe('list');
    expect(first.url).toBe('/v1/customers');
    expect(first.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(first.has_more).toBe(true);
    const second = await stripe.customers.list({ email: tag, limit: 2, starting_after: ids[3] });
    expect(second.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    expect(second.has_more).toBe(true);
    const last = await stripe.customers.list({ email: tag, limit: 2, starting_after: ids[1] });
    expect(last.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(last.has_more).toBe(false);
    const back = await stripe.customers.list({ email: tag, limit: 2, ending_before: ids[1] });
    expect(back.data.map((c) => c.id)).toEqual([ids[3], ids[2]]);
  });

  it('walks every page with the SDK’s auto-pagination', async () => {
    const tag = `auto-${Date.now()}@example.com`;
    for (let i = 0; i < 7; i++) await stripe.customers.create({ email: tag });
    const all = await stripe.customers.list({ email: tag, limit: 3 }).autoPagingToArray({ limit: 100 });
    expect(all).toHaveLength(7);
    expect(new Set(all.map((c) => c.id)).size).toBe(7);
  });

  it('refuses a limit out of 1–100 and an unknown cursor', async () => {
    expect((await stripeError(stripe.customers.list({ limit: 0 }))).param).toBe('limit');
    expect((await stripeError(stripe.customers.list({ limit: 101 }))).param).toBe('limit');
    expect((await stripeError(stripe.customers.list({ starting_after: 'cus_nope' }))).param).toBe(
      'starting_after',
    );
  });
});

describe('versions and objects', () => {
  it('echoes the Stripe-Version the SDK sends, which is the installed API version', async () => {
    const res = await stripe.rawRequest('GET', '/v1/customers', {});
    expect(res.lastResponse.apiVersion).toBe(Stripe.API_VERSION);
    expect(Stripe.API_VERSION).toBe('2026-10-28.endive');
  });

  it('shapes objects with id prefix, object, created, livemode false and metadata', async () => {
    const customer = await stripe.customers.create({ metadata: { user_id: 'u_1' } });
    expect(customer.id).toMatch(/^cus_/);
    expect(customer.object).toBe('customer');
    expect(customer.livemode).toBe(false);
    expect(Math.abs(customer.created - Date.now() / 1000)).toBeLessThan(3600);
    expect(customer.metadata).toEqual({ user_id: 'u_1' });
  });
});

describe('admin routes', () => {
  it('refuses a bad advance without moving the clock', async () => {
    for (const body of ['{"seconds":-5}', '{"seconds":"soon"}', 'not json']) {
      const res = await fetch(`${emulator.url}/_emulator/advance`, { method: 'POST', body });
      expect(res.status).toBe(400);
    }
    await expect(emulator.advanceTime(-1)).rejects.toThrow(/seconds/);
  });

  it('refuses bad delivery switches', async () => {
    const res = await fetch(`${emulator.url}/_emulator/delivery`, {
      method: 'POST',
      body: JSON.stringify({ maxAttempts: 'lots' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/maxAttempts/);
  });

  it('answers an unknown admin route with 404', async () => {
    const res = await fetch(`${emulator.url}/_emulator/teleport`, { method: 'POST' });
    expect(res.status).toBe(404);
  });
});
