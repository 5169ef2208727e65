// EU VAT through Checkout with automatic tax: inclusive and exclusive prices, the buyer's country,
// a business's VAT number (reverse charge), what Stripe refuses, and Checkout without tax as before.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StripeEmulator } from './index';
import { splitTax, taxFor } from './tax';
import { CARD_OK, chargeOf, DAY, emulatorForTest, monthlyPrice, payOnPage, stripeError } from './testing';

describe('splitting an amount', () => {
  it('rounds each tax to the nearest cent, halves up, as Stripe’s own table does', () => {
    // https://support.stripe.com/questions/rounding-rules-for-stripe-fees: 0.43 at 15 % → 0.06, 4.84 → 0.73.
    expect(splitTax(43, 1500, 'exclusive')).toEqual({ net: 43, tax: 6, total: 49 });
    expect(splitTax(484, 1500, 'exclusive')).toEqual({ net: 484, tax: 73, total: 557 });
    // 9.99 EUR VAT included at 20 %: 1.665 → 1.67 of VAT, 8.32 net.
    expect(splitTax(999, 2000, 'inclusive')).toEqual({ net: 832, tax: 167, total: 999 });
    // 19 %: 1.595… → 1.60.
    expect(splitTax(999, 1900, 'inclusive')).toEqual({ net: 839, tax: 160, total: 999 });
    expect(splitTax(999, 2100, 'exclusive')).toEqual({ net: 999, tax: 210, total: 1209 });
    expect(splitTax(0, 2000, 'inclusive')).toEqual({ net: 0, tax: 0, total: 0 });
  });

  it('charges no VAT to an EU business abroad with a VAT number, nor where the seller does not collect', () => {
    const vat = [{ type: 'eu_vat', value: 'DE123456789' }];
    expect(taxFor(999, 'DE', 'inclusive', vat)).toMatchObject({ tax: 0, net: 999, reason: 'reverse_charge' });
    // In the seller's own country (IE) a business pays VAT like anyone.
    expect(taxFor(999, 'IE', 'inclusive', [{ type: 'eu_vat', value: 'IE1234567T' }])).toMatchObject({
      reason: 'standard_rated',
      tax: 187,
    });
    expect(taxFor(999, 'US', 'exclusive', [])).toMatchObject({
      tax: 0,
      total: 999,
      reason: 'not_collecting',
    });
  });
});

let emulator: StripeEmulator;
let stripe: Stripe;
beforeEach(async () => {
  emulator = await emulatorForTest();
  stripe = emulator.stripe();
});
afterEach(() => emulator.stop());

const price = (taxBehavior?: 'inclusive' | 'exclusive') => monthlyPrice(stripe, taxBehavior);

/** A session as the server creates one with STRIPE_AUTOMATIC_TAX=true, for an existing customer. */
async function taxedSession(
  p: Stripe.Price,
  customer: Stripe.Customer,
  extra: Partial<Stripe.Checkout.SessionCreateParams> = {},
) {
  return stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    line_items: [{ price: p.id, quantity: 1 }],
    success_url: 'http://app.test/ok?session_id={CHECKOUT_SESSION_ID}',
    automatic_tax: { enabled: true },
    billing_address_collection: 'auto',
    customer_update: { address: 'auto', name: 'auto' },
    tax_id_collection: { enabled: true },
    ...extra,
  });
}

async function paidInvoice(sessionId: string) {
  const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ['invoice'] });
  return { session, invoice: session.invoice as Stripe.Invoice };
}

describe('Checkout with automatic tax', () => {
  it('a French buyer pays 9.99 EUR VAT included, of which 1.67 EUR is VAT, on this invoice and the next', async () => {
    const p = await price('inclusive');
    expect(p.tax_behavior).toBe('inclusive');
    const customer = await stripe.customers.create({ email: 'fr@example.com' });
    const created = await taxedSession(p, customer);
    expect(created.automatic_tax).toEqual({
      enabled: true,
      liability: { type: 'self' },
      provider: 'stripe',
      status: 'requires_location_inputs',
    });
    const page = await (await fetch(created.url as string)).text();
    expect(page).toContain('VAT included, at the rate of your country');
    expect(page).toContain('<select id="country"');
    expect(page).toContain('VAT number');

    const res = await payOnPage(created.url as string, CARD_OK, undefined, {
      country: 'FR',
      postal_code: '75001',
    });
    expect(res.status).toBe(303);
    const { session, invoice } = await paidInvoice(created.id);
    expect(session.amount_total).toBe(999);
    expect(session.total_details?.amount_tax).toBe(167);
    expect(session.automatic_tax.status).toBe('complete');
    expect(session.customer_details?.address?.country).toBe('FR');
    expect(invoice).toMatchObject({
      total: 999,
      amount_paid: 999,
      subtotal: 999,
      total_excluding_tax: 832,
      subtotal_excluding_tax: 832,
    });
    expect(invoice.automatic_tax).toMatchObject({ enabled: true, status: 'complete' });
    const [vat] = invoice.total_taxes ?? [];
    expect(vat).toMatchObject({
      amount: 167,
      taxable_amount: 832,
      tax_behavior: 'inclusive',
      taxability_reason: 'standard_rated',
    });
    const rate = await stripe.taxRates.retrieve(vat?.tax_rate_details?.tax_rate as string);
    expect(rate).toMatchObject({ percentage: 20, country: 'FR', inclusive: true, tax_type: 'vat' });
    expect(invoice.lines.data[0]?.taxes?.[0]?.amount).toBe(167);
    expect(invoice.customer_address?.country).toBe('FR');
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({
      address: { country: 'FR', postal_code: '75001' },
    });
    expect((await chargeOf(stripe, invoice.id)).amount).toBe(999);
    const hosted = await (await fetch(invoice.hosted_invoice_url as string)).text();
    expect(hosted).toContain('VAT 20 % (included): €1.67');
    expect(hosted).toContain('Total excl. VAT: €8.32');

    await emulator.advanceTime(32 * DAY);
    const sub = await stripe.subscriptions.retrieve(session.subscription as string);
    expect(sub.automatic_tax.enabled).toBe(true);
    const renewal = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(renewal.billing_reason).toBe('subscription_cycle');
    expect(renewal.total_taxes?.[0]?.amount).toBe(167);
  });

  it('a German business gives its VAT number: on the invoice, reverse charged, its name saved', async () => {
    const p = await price('inclusive');
    const customer = await stripe.customers.create({ email: 'de@example.com' });
    const created = await taxedSession(p, customer);
    const res = await payOnPage(created.url as string, CARD_OK, undefined, {
      country: 'DE',
      postal_code: '10115',
      business_name: 'Tonstudio Berlin GmbH',
      tax_id: 'de 123 456 789',
    });
    expect(res.status).toBe(303);
    const { session, invoice } = await paidInvoice(created.id);
    expect(invoice.customer_tax_ids).toEqual([{ type: 'eu_vat', value: 'DE123456789' }]);
    expect(invoice.total_taxes?.[0]).toMatchObject({ amount: 0, taxability_reason: 'reverse_charge' });
    expect(invoice.total).toBe(999);
    expect(session.customer_details).toMatchObject({
      business_name: 'Tonstudio Berlin GmbH',
      tax_ids: [{ type: 'eu_vat', value: 'DE123456789' }],
    });
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).name).toBe(
      'Tonstudio Berlin GmbH',
    );
    const pdf = Buffer.from(await (await fetch(invoice.invoice_pdf as string)).arrayBuffer()).toString(
      'latin1',
    );
    expect(pdf).toContain('(Customer VAT number: DE123456789) Tj');
  });

  it('adds VAT on top of an exclusive price: a Spanish buyer is charged 12.09 EUR', async () => {
    const p = await price('exclusive');
    const customer = await stripe.customers.create({ email: 'es@example.com' });
    const created = await taxedSession(p, customer, {
      billing_address_collection: 'required',
      tax_id_collection: { enabled: false },
    });
    const page = await (await fetch(created.url as string)).text();
    expect(page).toContain('plus VAT at the rate of your country');
    expect(page).not.toContain('VAT number');
    const incomplete = await payOnPage(created.url as string, CARD_OK, undefined, {
      country: 'ES',
      postal_code: '28001',
    });
    expect(incomplete.status).toBe(402);
    expect(await incomplete.text()).toContain('Enter your full billing address.');
    const res = await payOnPage(created.url as string, CARD_OK, undefined, {
      country: 'ES',
      postal_code: '28001',
      line1: 'Calle Mayor 1',
      city: 'Madrid',
    });
    expect(res.status).toBe(303);
    const { session, invoice } = await paidInvoice(created.id);
    expect(invoice).toMatchObject({
      subtotal: 999,
      total: 1209,
      amount_paid: 1209,
      total_excluding_tax: 999,
    });
    expect(session.amount_total).toBe(1209);
    expect((await chargeOf(stripe, invoice.id)).amount).toBe(1209);
  });

  it('keeps the session open with a message for a missing country or a bad VAT number', async () => {
    const p = await price('inclusive');
    const customer = await stripe.customers.create({ email: 'x@example.com' });
    const created = await taxedSession(p, customer);
    const noCountry = await payOnPage(created.url as string, CARD_OK, undefined, { postal_code: '75001' });
    expect(noCountry.status).toBe(402);
    expect(await noCountry.text()).toContain('Choose your country.');
    const badVat = await payOnPage(created.url as string, CARD_OK, undefined, {
      country: 'FR',
      postal_code: '75001',
      business_name: 'Studio',
      tax_id: '12',
    });
    expect(await badVat.text()).toContain('Enter a valid VAT number');
    const noName = await payOnPage(created.url as string, CARD_OK, undefined, {
      country: 'FR',
      postal_code: '75001',
      tax_id: 'FR12345678901',
    });
    expect(await noName.text()).toContain('Enter the business name');
    expect((await stripe.checkout.sessions.retrieve(created.id)).status).toBe('open');
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({
      address: null,
    });
  });

  it('refuses what Stripe refuses: no address to tax, tax IDs without the name, a price without tax behavior, Stripe Tax off', async () => {
    const customer = await stripe.customers.create({ email: 'r@example.com' });
    const inclusive = await price('inclusive');
    const noAddress = await stripeError(
      taxedSession(inclusive, customer, { customer_update: { name: 'auto' } }),
    );
    expect(noAddress).toMatchObject({
      statusCode: 400,
      code: 'customer_tax_location_invalid',
      param: 'customer_update[address]',
    });
    const noName = await stripeError(
      taxedSession(inclusive, customer, { customer_update: { address: 'auto' } }),
    );
    expect(noName).toMatchObject({ statusCode: 400, param: 'customer_update[name]' });
    const unspecified = await stripeError(taxedSession(await price(), customer));
    expect(unspecified).toMatchObject({ statusCode: 400, param: 'line_items[0][price]' });
    const badBehavior = await stripeError(
      stripe.prices.create({
        product: inclusive.product as string,
        currency: 'eur',
        unit_amount: 1,
        tax_behavior: 'both' as 'inclusive',
      }),
    );
    expect(badBehavior.param).toBe('tax_behavior');
    const off = await fetch(`${emulator.url}/_emulator/tax`, {
      method: 'POST',
      body: JSON.stringify({ active: false }),
    });
    expect(off.status).toBe(200);
    const inactive = await stripeError(taxedSession(inclusive, customer));
    expect(inactive.statusCode).toBe(400);
    expect(inactive.message).toContain('Stripe Tax has not been activated on your account');
    expect((await stripe.checkout.sessions.list()).data).toEqual([]);
  });

  it('taxes a customer whose address is on file, through Checkout and over the API', async () => {
    const p = await price('inclusive');
    const customer = await stripe.customers.create({
      email: 'it@example.com',
      address: { country: 'IT', postal_code: '00100' },
    });
    expect(customer.address).toMatchObject({ country: 'IT', postal_code: '00100', line1: null });
    // An address on the customer is enough: no customer_update needed, the page offers it prefilled.
    const created = await taxedSession(p, customer, {
      customer_update: undefined,
      tax_id_collection: undefined,
    });
    expect(created.automatic_tax.status).toBe('complete');
    expect(await (await fetch(created.url as string)).text()).toContain('<option value="IT" selected>');
    await payOnPage(created.url as string, CARD_OK, undefined, { country: 'IT', postal_code: '00100' });
    expect((await paidInvoice(created.id)).invoice.total_taxes?.[0]?.amount).toBe(180); // 9.99 × 22/122 = 1.8015
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: p.id }],
      automatic_tax: { enabled: true },
      expand: ['latest_invoice'],
    });
    expect((sub.latest_invoice as Stripe.Invoice).total_taxes?.[0]?.amount).toBe(180);
    const moved = await stripe.customers.update(customer.id, {
      address: { country: 'NL', postal_code: '1011' },
    });
    expect(moved.address?.country).toBe('NL');
    const bad = await stripeError(stripe.customers.update(customer.id, { address: { country: 'Italy' } }));
    expect(bad.param).toBe('address[country]');
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).address?.country).toBe('NL');
  });

  it('without automatic tax, Checkout is as before: no address, no tax', async () => {
    const p = await price('inclusive');
    const customer = await stripe.customers.create({ email: 'plain@example.com' });
    const created = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: p.id, quantity: 1 }],
      success_url: 'http://app.test/ok',
    });
    const page = await (await fetch(created.url as string)).text();
    expect(page).not.toContain('id="country"');
    expect(page).not.toContain('VAT');
    expect((await payOnPage(created.url as string, CARD_OK)).status).toBe(303);
    const { session, invoice } = await paidInvoice(created.id);
    expect(session.automatic_tax.enabled).toBe(false);
    expect(session.total_details?.amount_tax).toBe(0);
    expect(invoice).toMatchObject({
      total: 999,
      total_taxes: [],
      customer_tax_ids: [],
      customer_address: null,
    });
    expect(invoice.automatic_tax.enabled).toBe(false);
  });
});
