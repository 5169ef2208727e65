// Customers, products and prices through the real stripe SDK.
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import { emulatorForTest, seedCatalog, stripeError } from './testing';

let emulator: StripeEmulator;
let stripe: Stripe;
beforeAll(async () => {
  emulator = await emulatorForTest();
  stripe = emulator.stripe();
});
afterAll(() => emulator.stop());

describe('customers', () => {
  it('creates, retrieves, updates and lists by email', async () => {
    const created = await stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { user_id: 'u_ada' },
    });
    expect(created).toMatchObject({ object: 'customer', email: 'ada@example.com', name: 'Ada' });
    expect((await stripe.customers.retrieve(created.id)) as Stripe.Customer).toEqual(created);

    const updated = await stripe.customers.update(created.id, {
      name: 'Ada L.',
      metadata: { plan: 'pro', user_id: '' },
    });
    expect(updated.name).toBe('Ada L.');
    // An empty metadata value deletes the key, as on Stripe.
    expect(updated.metadata).toEqual({ plan: 'pro' });

    await stripe.customers.create({ email: 'someone-else@example.com' });
    const found = await stripe.customers.list({ email: 'ada@example.com' });
    expect(found.data.map((c) => c.id)).toEqual([created.id]);
  });

  it('changes nothing when one parameter of an update is bad', async () => {
    const customer = await stripe.customers.create({ email: 'keep@example.com', name: 'Keep' });
    const err = await stripeError(
      stripe.customers.update(customer.id, { name: 'Changed', payment_method: 'pm_card_bogus' } as never),
    );
    expect(err.statusCode).toBe(404);
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).name).toBe('Keep');
  });

  it('takes a test payment method as the default', async () => {
    const customer = await stripe.customers.create({
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    expect(customer.invoice_settings.default_payment_method).toBe('pm_card_visa');
    const err = await stripeError(stripe.customers.create({ payment_method: 'pm_nothing' }));
    expect(err.code).toBe('resource_missing');
    expect(err.param).toBe('payment_method');
  });

  it('answers 404 for an update of a missing customer', async () => {
    const err = await stripeError(stripe.customers.update('cus_gone', { name: 'x' }));
    expect(err.statusCode).toBe(404);
  });
});

describe('products and prices', () => {
  it('creates and retrieves a product and recurring prices', async () => {
    const { product, monthly, annual } = await seedCatalog(stripe);
    expect(product).toMatchObject({ object: 'product', name: 'Siberia Mix Pro', active: true });
    expect(product.id).toMatch(/^prod_/);
    expect(monthly).toMatchObject({
      object: 'price',
      product: product.id,
      currency: 'eur',
      unit_amount: 999,
      type: 'recurring',
      lookup_key: 'pro_monthly',
    });
    expect(monthly.recurring).toMatchObject({ interval: 'month', interval_count: 1 });
    expect(annual.recurring?.interval).toBe('year');
    expect(await stripe.products.retrieve(product.id)).toEqual(product);
    expect(await stripe.prices.retrieve(monthly.id)).toEqual(monthly);
  });

  it('lists prices by lookup_keys, active and product, expanding data.product', async () => {
    const other = await stripe.products.create({ name: 'Other' });
    const otherPrice = await stripe.prices.create({
      product: other.id,
      currency: 'eur',
      unit_amount: 100,
      recurring: { interval: 'month' },
      active: false,
    });
    const byKey = await stripe.prices.list({
      lookup_keys: ['pro_monthly', 'pro_annual'],
      expand: ['data.product'],
    });
    expect(byKey.data.map((p) => p.lookup_key).sort()).toEqual(['pro_annual', 'pro_monthly']);
    const product = byKey.data[0]?.product as Stripe.Product;
    expect(product.object).toBe('product');
    expect(product.name).toBe('Siberia Mix Pro');

    const byProduct = await stripe.prices.list({ product: other.id });
    expect(byProduct.data.map((p) => p.id)).toEqual([otherPrice.id]);
    const active = await stripe.prices.list({ active: true, limit: 100 });
    expect(active.data.map((p) => p.id)).not.toContain(otherPrice.id);
    const inactive = await stripe.prices.list({ active: false });
    expect(inactive.data.map((p) => p.id)).toEqual([otherPrice.id]);
  });

  it('expands a price’s product on retrieve', async () => {
    const [price] = (await stripe.prices.list({ lookup_keys: ['pro_annual'] })).data;
    const expanded = await stripe.prices.retrieve(price?.id as string, { expand: ['product'] });
    expect((expanded.product as Stripe.Product).object).toBe('product');
  });

  it('lists products', async () => {
    const list = await stripe.products.list({ limit: 100 });
    expect(list.data.map((p) => p.name)).toContain('Siberia Mix Pro');
  });

  it('refuses bad prices and changes nothing', async () => {
    const product = await stripe.products.create({ name: 'Strict' });
    const bad: Array<[Stripe.PriceCreateParams, string]> = [
      [
        {
          product: product.id,
          currency: 'eur',
          unit_amount: 100,
          recurring: { interval: 'fortnight' as 'month' },
        },
        'recurring[interval]',
      ],
      [{ product: product.id, currency: 'euro', unit_amount: 100 }, 'currency'],
      [{ product: product.id, currency: 'eur', unit_amount: -1 }, 'unit_amount'],
      [{ product: product.id, currency: 'eur', unit_amount: 100, lookup_key: 'pro_monthly' }, 'lookup_key'],
    ];
    for (const [params, param] of bad) {
      const err = await stripeError(stripe.prices.create(params));
      expect(err.statusCode).toBe(400);
      expect(err.param).toBe(param);
    }
    expect((await stripe.prices.list({ product: product.id })).data).toEqual([]);
    const missing = await stripeError(
      stripe.prices.create({ product: 'prod_missing', currency: 'eur', unit_amount: 1 }),
    );
    expect(missing.statusCode).toBe(404);
  });

  it('moves a lookup key with transfer_lookup_key', async () => {
    const [old] = (await stripe.prices.list({ lookup_keys: ['pro_monthly'] })).data;
    const moved = await stripe.prices.create({
      product: old?.product as string,
      currency: 'eur',
      unit_amount: 1099,
      recurring: { interval: 'month' },
      lookup_key: 'pro_monthly',
      transfer_lookup_key: true,
    });
    const now = await stripe.prices.list({ lookup_keys: ['pro_monthly'] });
    expect(now.data.map((p) => p.id)).toEqual([moved.id]);
  });
});
