import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from '../../stripe-emulator/index';
import { LOOKUP_KEYS, setupStripeCatalog, WEBHOOK_EVENTS } from './catalog';

describe('stripe:setup', () => {
  let emulator: StripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator();
  });
  afterAll(() => emulator?.stop());

  it('creates the product, two EUR prices and the webhook endpoint once, then nothing', async () => {
    const stripe = emulator.stripe();
    const first = await setupStripeCatalog(stripe, {
      webhookUrl: 'http://127.0.0.1:8787/api/webhooks/stripe',
    });
    expect(first.created).toHaveLength(4);
    expect(first.webhook?.secret).toMatch(/^whsec_/);
    const monthly = await stripe.prices.retrieve(first.monthly, { expand: ['product'] });
    expect(monthly).toMatchObject({
      currency: 'eur',
      unit_amount: 999,
      lookup_key: LOOKUP_KEYS.monthly,
      recurring: { interval: 'month' },
      product: { name: 'Siberia Mix Pro' },
      tax_behavior: 'inclusive',
    });
    expect(await stripe.prices.retrieve(first.annual)).toMatchObject({
      unit_amount: 9999,
      recurring: { interval: 'year' },
    });
    const endpoint = (await stripe.webhookEndpoints.list()).data[0];
    expect([...(endpoint?.enabled_events ?? [])].sort()).toEqual([...WEBHOOK_EVENTS].sort());

    const second = await setupStripeCatalog(stripe, {
      webhookUrl: 'http://127.0.0.1:8787/api/webhooks/stripe',
    });
    expect(second).toMatchObject({
      monthly: first.monthly,
      annual: first.annual,
      productId: first.productId,
      created: [],
    });
    expect(second.webhook).toMatchObject({ id: first.webhook?.id, secret: null, created: false });
    expect((await stripe.products.list()).data).toHaveLength(1);
  });

  it('makes prices made before VAT-inclusive, once, and names one it may not change', async () => {
    emulator.reset();
    const stripe = emulator.stripe();
    const product = await stripe.products.create({ name: 'Siberia Mix Pro' });
    const old = await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 999,
      recurring: { interval: 'month' },
      lookup_key: LOOKUP_KEYS.monthly,
    });
    const exclusive = await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 9999,
      recurring: { interval: 'year' },
      lookup_key: LOOKUP_KEYS.annual,
      tax_behavior: 'exclusive',
    });
    const result = await setupStripeCatalog(stripe);
    expect(result.created).toEqual([`price ${old.id}: now VAT-inclusive (tax_behavior: inclusive)`]);
    expect((await stripe.prices.retrieve(old.id)).tax_behavior).toBe('inclusive');
    expect(result.warnings).toEqual([expect.stringContaining(`price ${exclusive.id} is tax-exclusive`)]);
    expect((await stripe.prices.retrieve(exclusive.id)).tax_behavior).toBe('exclusive');
    // Stripe refuses to change a behaviour once set; so does the emulator.
    await expect(stripe.prices.update(exclusive.id, { tax_behavior: 'inclusive' })).rejects.toThrow(
      /cannot be changed/,
    );
  });

  it('prints the .env lines from the command line, and refuses a missing key plainly', async () => {
    const env = { ...process.env, STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_API_BASE: emulator.url };
    const run = await cli(env);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/STRIPE_PRICE_MONTHLY=price_\w+/);
    expect(run.stdout).toMatch(/STRIPE_PRICE_ANNUAL=price_\w+/);
    expect(run.stdout).toContain(
      'VAT-inclusive (tax_behavior: inclusive): 9.99 EUR a month and 99.99 EUR a year',
    );
    const noKey = await cli({ ...process.env, STRIPE_SECRET_KEY: '' });
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('STRIPE_SECRET_KEY');
  });
});

/** Asynchronous, since the emulator answering it runs in this very process. */
function cli(env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npx', ['--no-install', 'tsx', 'server/stripe/setup-cli.ts'], { env }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
