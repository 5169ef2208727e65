// What the emulator's own tests share: a catalog, paying on the hosted page over plain HTTP, and a
// tiny webhook receiver that checks every signature with the real SDK.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { type StripeEmulator, startStripeEmulator } from './index';

export const CARD_OK = '4242 4242 4242 4242';
export const CARD_DECLINED = '4000 0000 0000 0002';
export const CARD_FAILS_AT_RENEWAL = '4000 0000 0000 0341';
export const CARD_3DS = '4000 0027 6000 3184';
export const DAY = 86_400;

/** A subscription's first events on Checkout: created incomplete, its invoice paid, then active. */
export const FIRST_PAID = [
  'customer.subscription.created',
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_succeeded',
  'customer.subscription.updated',
];
export type Catalog = { product: Stripe.Product; monthly: Stripe.Price; annual: Stripe.Price };

export async function seedCatalog(stripe: Stripe): Promise<Catalog> {
  const product = await stripe.products.create({ name: 'Siberia Mix Pro' });
  const monthly = await stripe.prices.create({
    product: product.id,
    currency: 'eur',
    unit_amount: 999,
    recurring: { interval: 'month' },
    lookup_key: 'pro_monthly',
  });
  const annual = await stripe.prices.create({
    product: product.id,
    currency: 'eur',
    unit_amount: 9999,
    recurring: { interval: 'year' },
    lookup_key: 'pro_annual',
  });
  return { product, monthly, annual };
}

/** An emulator with fast retries, stopped by the returned function. */
export async function emulatorForTest(opts: Parameters<typeof startStripeEmulator>[0] = {}) {
  const emulator = await startStripeEmulator({ ...opts, delivery: { retryBaseMs: 20, ...opts.delivery } });
  return emulator;
}

/** Submits the hosted Checkout form as a browser would (without following the redirect). */
export function payOnPage(sessionUrl: string, card: string, email?: string): Promise<Response> {
  const form = new URLSearchParams({ card, ...(email ? { email } : {}) });
  return fetch(sessionUrl, {
    method: 'POST',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
}

/** A subscription checkout for a customer, paid on the hosted page with `card`. */
export async function subscribe(
  emulator: StripeEmulator,
  price: Stripe.Price,
  card = CARD_OK,
  customer?: Stripe.Customer,
  extra: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Promise<{ session: Stripe.Checkout.Session; subscription: Stripe.Subscription; customer: string }> {
  const stripe = emulator.stripe();
  const buyer = customer ?? (await stripe.customers.create({ email: 'buyer@example.com' }));
  const created = await stripe.checkout.sessions.create({
    ...extra,
    mode: 'subscription',
    customer: buyer.id,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'http://app.test/ok?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://app.test/cancel',
  });
  const res = await payOnPage(created.url as string, card);
  if (res.status !== 303) throw new Error(`paying answered ${res.status}`);
  const session = await stripe.checkout.sessions.retrieve(created.id, { expand: ['subscription'] });
  return { session, subscription: session.subscription as Stripe.Subscription, customer: buyer.id };
}

export type Received = { event: Stripe.Event; signature: string };

/**
 * A webhook receiver on a free port: verifies each delivery with `stripe.webhooks.constructEvent` and
 * answers what `answer` says (200 by default). Deliveries that fail verification are kept apart.
 */
export async function startReceiver(
  secret: () => string,
  answer: (event: Stripe.Event) => number = () => 200,
) {
  const verifier = new Stripe('sk_test_receiver');
  const received: Received[] = [];
  const rejected: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['stripe-signature'] ?? '');
      try {
        const event = verifier.webhooks.constructEvent(payload, signature, secret());
        received.push({ event, signature });
        res.writeHead(answer(event)).end();
      } catch (err) {
        rejected.push(err instanceof Error ? err.message : String(err));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    rejected,
    types: () => received.map((r) => r.event.type),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Posts JSON to one of the emulator's own `/_emulator/…` routes and answers the JSON it returns. */
export async function adminPost(emulator: StripeEmulator, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** The charge that paid an invoice: invoice → InvoicePayment → PaymentIntent → latest_charge. */
export async function chargeOf(stripe: Stripe, invoiceId: string): Promise<Stripe.Charge> {
  const invoice = await stripe.invoices.retrieve(invoiceId, { expand: ['payments'] });
  const intent = invoice.payments?.data[0]?.payment.payment_intent;
  if (typeof intent !== 'string') throw new Error(`invoice ${invoiceId} has no payment intent`);
  const pi = await stripe.paymentIntents.retrieve(intent);
  if (typeof pi.latest_charge !== 'string') throw new Error(`payment intent ${intent} has no charge`);
  return stripe.charges.retrieve(pi.latest_charge);
}

/** The error an SDK call rejects with, or a failure when it does not reject. */
export async function stripeError(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
