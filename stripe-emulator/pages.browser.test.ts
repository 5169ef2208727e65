// The hosted Checkout and portal pages in Chromium: paying, a declined card, Back, and the portal's
// actions, used with the keyboard where a person would. Screenshots land in ./screenshots/.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../tests/e2e/chromium';
import type { StripeEmulator } from './index';
import {
  CARD_3DS,
  CARD_DECLINED,
  CARD_FAILS_AT_RENEWAL,
  CARD_OK,
  type Catalog,
  DAY,
  emulatorForTest,
  monthlyPrice,
  seedCatalog,
  subscribe,
} from './testing';

const SHOTS = path.join(import.meta.dirname, 'screenshots');

let browser: Browser;
let emulator: StripeEmulator;
let stripe: Stripe;
let catalog: Catalog;
let app: Server;
let appUrl: string;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  // Stands in for the server's return pages: any path answers a small page naming itself.
  app = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>App</title><h1>App page ${req.url}</h1>`);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  emulator = await emulatorForTest();
  stripe = emulator.stripe();
  catalog = await seedCatalog(stripe);
});
afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
  await new Promise<void>((resolve) => app.close(() => resolve()));
});
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
});
afterEach(() => page.close());

async function newSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: catalog.monthly.id, quantity: 1 }],
    success_url: `${appUrl}/checkout/return?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${appUrl}/checkout/return?canceled=1`,
    customer_email: 'browser@example.com',
    ...extra,
  });
}

describe('hosted Checkout', () => {
  it('pays with 4242 from the keyboard and lands on success_url with the session id', async () => {
    const session = await newSession();
    await page.goto(session.url as string);
    await expect.poll(() => page.title()).toBe('Subscribe to Siberia Mix Pro');
    const text = await page.textContent('body');
    expect(text).toContain('Test mode — no real payment');
    expect(text).toContain('Siberia Mix Pro');
    expect(text).toContain('€9.99');
    expect(text).toContain('per month');
    expect(await page.getByLabel('Email').inputValue()).toBe('browser@example.com');
    await page.screenshot({ path: path.join(SHOTS, 'checkout.png'), fullPage: true });

    // The card field has focus on arrival; typing and Enter are all it takes.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('card');
    await page.keyboard.type(CARD_OK);
    await Promise.all([
      page.waitForURL(`${appUrl}/checkout/return?session_id=${session.id}`),
      page.keyboard.press('Enter'),
    ]);
    expect(await page.textContent('h1')).toContain(`session_id=${session.id}`);

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect(done.status).toBe('complete');
    expect((done.subscription as Stripe.Subscription).status).toBe('active');
  });

  it('shows the decline and keeps the session open for a declined card', async () => {
    const session = await newSession();
    await page.goto(session.url as string);
    await page.getByLabel('Card number').fill(CARD_DECLINED);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Your card was declined.');
    expect(page.url()).toBe(session.url);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    // Paying again with a good card still works.
    await page.getByLabel('Card number').fill(CARD_OK);
    await Promise.all([
      page.waitForURL(/session_id=/),
      page.getByRole('button', { name: 'Subscribe' }).click(),
    ]);
  });

  it('goes back to cancel_url with the Back link', async () => {
    const session = await newSession();
    await page.goto(session.url as string);
    await Promise.all([
      page.waitForURL(`${appUrl}/checkout/return?canceled=1`),
      page.getByRole('link', { name: /Back/ }).click(),
    ]);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('asks for the email when the session has none', async () => {
    const session = await newSession({ customer_email: undefined });
    await page.goto(session.url as string);
    await page.getByLabel('Email').fill('typed-in-browser@example.com');
    await page.getByLabel('Card number').fill(CARD_OK);
    await Promise.all([
      page.waitForURL(/session_id=/),
      page.getByRole('button', { name: 'Subscribe' }).click(),
    ]);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['customer'] });
    expect((done.customer as Stripe.Customer).email).toBe('typed-in-browser@example.com');
  });
});

describe('hosted portal', () => {
  it('shows the plan, switches to annual, cancels at period end, resumes and returns', async () => {
    const { customer, subscription } = await subscribe(emulator, catalog.monthly);
    const portal = await stripe.billingPortal.sessions.create({ customer, return_url: `${appUrl}/account` });
    await page.goto(portal.url);
    const body = () => page.textContent('body');
    expect(await body()).toContain('Test mode — no real payment');
    expect(await body()).toContain('€9.99 per month');
    expect(await body()).toContain('Renews on');

    await page.getByRole('button', { name: /Switch to €99.99 per year/ }).click();
    await page.getByRole('status').waitFor();
    expect(await body()).toContain('€99.99 per year');
    expect(await body()).toContain('Switch to €9.99 per month');
    const annual = await stripe.subscriptions.retrieve(subscription.id);
    expect(annual.items.data[0]?.price.id).toBe(catalog.annual.id);

    await page.getByRole('button', { name: 'Cancel at period end' }).click();
    await page.getByText('Cancels on').waitFor();
    expect((await stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'portal.png'), fullPage: true });

    // Keyboard: the resume button is reachable with Tab and pressed with Enter.
    const resume = page.getByRole('button', { name: 'Resume subscription' });
    await resume.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Renews on').waitFor();
    expect((await stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(false);

    await Promise.all([
      page.waitForURL(`${appUrl}/account`),
      page.getByRole('link', { name: /Return/ }).click(),
    ]);
  });
});

describe('hosted invoice page', () => {
  /** A subscription on its own test clock, moved past its first renewal. */
  async function renewedWith(card: string) {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Date.UTC(2027, 0, 10) / 1000 });
    const customer = await stripe.customers.create({ email: 'invoice@example.com', test_clock: clock.id });
    const { subscription } = await subscribe(emulator, catalog.monthly, card, customer);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time + 32 * DAY });
    const due = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    return { subscription: due, invoice: due.latest_invoice as Stripe.Invoice };
  }

  it('confirms a renewal that waits for 3-D Secure, from the keyboard, and the subscription is active again', async () => {
    const { subscription, invoice } = await renewedWith(CARD_3DS);
    expect(subscription.status).toBe('past_due');
    await page.goto(invoice.hosted_invoice_url as string);
    await expect.poll(() => page.title()).toBe(`Invoice ${invoice.number}`);
    const body = () => page.textContent('body');
    expect(await body()).toContain('Test mode — no real payment');
    expect(await body()).toContain('€9.99');
    expect(await body()).toContain('Your bank asks you to confirm this payment');
    await page.screenshot({ path: path.join(SHOTS, 'invoice-3ds.png'), fullPage: true });
    const confirm = page.getByRole('button', { name: 'Confirm payment of €9.99' });
    await confirm.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Thank you: your payment went through.').waitFor();
    expect(await body()).toContain('Paid on');
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    await page.screenshot({ path: path.join(SHOTS, 'invoice-paid.png'), fullPage: true });
  });

  it('pays a failed renewal with another card after a decline, and links the PDF', async () => {
    const { subscription, invoice } = await renewedWith(CARD_FAILS_AT_RENEWAL);
    await page.goto(invoice.hosted_invoice_url as string);
    await page.getByLabel('Card number').fill(CARD_DECLINED);
    await page.getByRole('button', { name: 'Pay €9.99' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Your card was declined.');
    expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('open');
    await page.getByLabel('Card number').fill(CARD_OK);
    await page.getByRole('button', { name: 'Pay €9.99' }).click();
    await page.getByText('Paid on').waitFor();
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    const pdf = await page.request.get(
      await page.getByRole('link', { name: 'Download PDF' }).evaluate((a) => (a as HTMLAnchorElement).href),
    );
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('hosted Checkout with automatic tax', () => {
  it('asks a business for its country, postal code and VAT number, and the invoice page shows the VAT', async () => {
    const price = await monthlyPrice(stripe, 'inclusive');
    const customer = await stripe.customers.create({ email: 'studio@example.com' });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: `${appUrl}/checkout/return?session_id={CHECKOUT_SESSION_ID}`,
      automatic_tax: { enabled: true },
      billing_address_collection: 'auto',
      customer_update: { address: 'auto', name: 'auto' },
      tax_id_collection: { enabled: true },
    });
    await page.goto(session.url as string);
    expect(await page.textContent('#tax-note')).toBe('VAT included, at the rate of your country');
    await page.getByLabel('Card number').fill(CARD_OK);
    await page.getByLabel('Country').selectOption('FR');
    await page.getByLabel('Postal code').fill('75001');
    // The business fields sit in a disclosure, opened from the keyboard.
    await page.getByText('I’m purchasing as a business').focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Business name').fill('Studio Paris SARL');
    await page.getByLabel('VAT number').fill('FR 12 345678901');
    await page.screenshot({ path: path.join(SHOTS, 'checkout-tax.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(/session_id=/),
      page.getByRole('button', { name: 'Subscribe' }).click(),
    ]);

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['invoice'] });
    const invoice = done.invoice as Stripe.Invoice;
    expect(invoice.customer_tax_ids).toEqual([{ type: 'eu_vat', value: 'FR12345678901' }]);
    // A French business buying from the (Irish) seller: the buyer accounts for the VAT, reverse charge.
    expect(invoice.total_taxes?.[0]?.taxability_reason).toBe('reverse_charge');
    await page.goto(invoice.hosted_invoice_url as string);
    const taxes = page.getByRole('list', { name: 'Tax' });
    expect(await taxes.textContent()).toContain('VAT: reverse charge');
    expect(await taxes.textContent()).toContain('Customer VAT number: FR12345678901');
    await page.screenshot({ path: path.join(SHOTS, 'invoice-tax.png'), fullPage: true });
  });

  it('shows a missing country as an alert and keeps what was typed', async () => {
    const price = await monthlyPrice(stripe, 'inclusive');
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: `${appUrl}/checkout/return?session_id={CHECKOUT_SESSION_ID}`,
      customer_email: 'nocountry@example.com',
      automatic_tax: { enabled: true },
    });
    await page.goto(session.url as string);
    await page.getByLabel('Card number').fill(CARD_OK);
    await page.getByLabel('Postal code').fill('10115');
    // The browser itself refuses an unchosen required country; the server's message is the fallback.
    await page.evaluate(() => document.querySelector('form')?.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Choose your country.');
    expect(await page.getByLabel('Postal code').inputValue()).toBe('10115');
    await page.getByLabel('Country').selectOption('DE');
    await Promise.all([
      page.waitForURL(/session_id=/),
      page.getByRole('button', { name: 'Subscribe' }).click(),
    ]);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['invoice'] });
    expect((done.invoice as Stripe.Invoice).total_taxes?.[0]?.amount).toBe(160);
  });
});
