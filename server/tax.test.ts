// Selling in the EU (issue 21) through the real stack: VAT-inclusive prices, Stripe Tax at
// Checkout, VAT numbers, the invoices list, and what happens when Stripe Tax is not set up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvoicesResponse } from '../contracts/api';
import { databaseKinds } from '../tests/support/databases';
import { type MoneyStack, startMoneyStack } from '../tests/support/money-stack';

const state = (n: string) => `state_${n}_${'t'.repeat(16)}`;
const address = (country: string, postal: string, city: string) => ({
  country,
  line1: '1 rue de la Musique',
  postal_code: postal,
  city,
});

describe.each(databaseKinds)('EU VAT through the real stack on %s', (kind) => {
  let m: MoneyStack;
  beforeAll(async () => {
    m = await startMoneyStack(kind, { STRIPE_AUTOMATIC_TAX: 'true' });
  });
  afterAll(() => m?.close());

  let n = 0;
  const musician = async (what: string) => {
    const u = await m.signUp(`${what}-${n++}@example.com`);
    return { id: u.user.id, token: u.accessToken };
  };
  const invoices = async (token: string, query = '') => {
    const res = await m.call('GET', `/api/billing/invoices${query}`, undefined, token);
    expect(res.status).toBe(200);
    return InvoicesResponse.parse(res.body);
  };
  const sessionOf = (url: string) =>
    m.stripe.checkout.sessions.retrieve(new URL(url).pathname.split('/').pop() as string);

  it('the prices are VAT-inclusive, as stripe:setup made them', async () => {
    for (const id of [m.prices.monthly, m.prices.annual])
      expect((await m.stripe.prices.retrieve(id)).tax_behavior).toBe('inclusive');
  });

  it('a French musician pays 9.99 EUR, of which 1.67 EUR is VAT at 20 %, and finds the invoice', async () => {
    const u = await musician('fr-buyer');
    const { url } = await m.checkout(u.token, m.prices.monthly, state('fr'));
    const session = await sessionOf(url);
    expect(session).toMatchObject({
      automatic_tax: { enabled: true },
      billing_address_collection: 'required',
      tax_id_collection: { enabled: true },
    });
    expect(await m.pay(url, '4242 4242 4242 4242', address('FR', '75011', 'Paris'))).toBe(true);
    await m.emulator.idle();
    const list = await invoices(u.token);
    expect(list.invoices).toHaveLength(1);
    // 9.99 incl. 20 %: net 999 / 1.2 = 832.5 cents; the tax, 166.5, is rounded half up to 167.
    expect(list.invoices[0]).toMatchObject({ total: 999, tax: 167, currency: 'eur', status: 'paid' });
    expect(list.invoices[0]?.hostedInvoiceUrl).toMatch(/\/i\/in_/);
    expect(list.invoices[0]?.pdfUrl).toMatch(/\/i\/in_\w+\/pdf$/);
    const pdf = await fetch(list.invoices[0]?.pdfUrl as string);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await m.billingMe(u.token)).plan).toBe('pro');
  });

  it('a German business enters its VAT number and it is on the invoice', async () => {
    const u = await musician('de-business');
    const { url } = await m.checkout(u.token, m.prices.annual, state('de'));
    const paid = await m.pay(url, '4242 4242 4242 4242', {
      ...address('DE', '10115', 'Berlin'),
      business_name: 'Tonstudio Berlin GmbH',
      tax_id: 'DE123456789',
    });
    expect(paid).toBe(true);
    await m.emulator.idle();
    const [summary] = (await invoices(u.token)).invoices;
    const invoice = await m.stripe.invoices.retrieve(summary?.id as string);
    expect(invoice.customer_tax_ids).toEqual([{ type: 'eu_vat', value: 'DE123456789' }]);
    expect(invoice.customer_name).toBe('Tonstudio Berlin GmbH');
    expect(summary).toMatchObject({ total: 9999, currency: 'eur' });
  });

  it('pages through the invoices, newest first, and refuses a bad cursor or limit', async () => {
    const u = await musician('pages');
    const { url } = await m.checkout(u.token, m.prices.monthly, state('pg'));
    expect(await m.pay(url, '4242 4242 4242 4242', address('FR', '69001', 'Lyon'))).toBe(true);
    await m.emulator.idle();
    await m.advance(32 * 86_400);
    await m.advance(31 * 86_400);
    const token = (await m.signIn(`pages-${n - 1}@example.com`)).accessToken;
    const all = await invoices(token);
    expect(all.invoices.length).toBeGreaterThanOrEqual(3);
    const times = all.invoices.map((i) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const first = await invoices(token, '?limit=2');
    expect(first.invoices).toHaveLength(2);
    expect(first.nextCursor).toBe(first.invoices[1]?.id);
    const rest = await invoices(token, `?limit=2&after=${first.nextCursor}`);
    expect(rest.invoices[0]?.id).toBe(all.invoices[2]?.id);
    for (const bad of ['?limit=0', '?limit=1000', '?after=cus_123', '?limit=two'])
      expect((await m.call('GET', `/api/billing/invoices${bad}`, undefined, token)).status).toBe(400);
    expect((await m.call('GET', '/api/billing/invoices')).status).toBe(401);
  });

  it('a musician without a Stripe customer has no invoices (and no call to Stripe is needed)', async () => {
    const u = await musician('none');
    expect(await invoices(u.token)).toEqual({ invoices: [], nextCursor: null });
  });

  it('Stripe Tax not set up: the operator reads why, the musician hears payment is not available', async () => {
    const u = await musician('no-tax');
    const off = await fetch(`${m.emulator.url}/_emulator/tax`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ active: false }),
    });
    expect(off.status).toBe(200);
    try {
      const res = await m.call(
        'POST',
        '/api/billing/checkout',
        { priceId: m.prices.monthly, state: state('nt') },
        u.token,
      );
      expect(res).toMatchObject({
        status: 503,
        body: {
          error: {
            code: 'payments_unavailable',
            message: 'Payment is not available right now. Please try again later.',
          },
        },
      });
      const line = m.logs.find((l) => l.includes('Stripe refused to create a Checkout session'));
      expect(line).toContain('check Stripe Tax in the Dashboard');
    } finally {
      await fetch(`${m.emulator.url}/_emulator/tax`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ active: true }),
      });
    }
  });

  it('automatic tax off keeps today’s Checkout: no address asked, no tax computed', async () => {
    const plain = await m.secondServer({ STRIPE_AUTOMATIC_TAX: 'false' });
    try {
      const u = await musician('no-auto-tax');
      const res = await fetch(`${plain.url}/api/billing/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
        body: JSON.stringify({ priceId: m.prices.monthly, state: state('plain') }),
      });
      const { url } = (await res.json()) as { url: string };
      const session = await sessionOf(url);
      expect(session.automatic_tax.enabled).toBe(false);
      expect(session.billing_address_collection).toBeNull();
      expect(session.tax_id_collection?.enabled ?? false).toBe(false);
      expect(await m.pay(url)).toBe(true);
      await m.emulator.idle();
      const [invoice] = (await invoices(u.token)).invoices;
      expect(invoice).toMatchObject({ total: 999, tax: 0 });
    } finally {
      await plain.close();
    }
  });
});
