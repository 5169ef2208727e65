import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from './core';
import { type CardBehavior, customerCard, payInvoiceNow, runDueWork } from './billing';
import { cardBehavior } from './cards';
import { missing, StripeApiError } from './errors';
import { pdfDocument } from './invoice-pdf';
import { checkoutPage, invoicePage, messagePage, money, portalPage } from './pages';
import { intentOf } from './payments';
import { payCheckoutSession } from './resources/checkout';
import { setCancelAtPeriodEnd, switchPrice } from './resources/subscriptions';
import { readBody } from './server';
import { render, type StripeObject } from './store';

function html(res: ServerResponse, status: number, text: string): true {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; base-uri 'none'",
  });
  res.end(text);
  return true;
}

function priceFacts(core: Core, priceId: string) {
  const price = core.find('price', priceId);
  const product = core.store.get(price.product as string);
  const recurring = price.recurring as { interval: string } | null;
  return {
    productName: (product?.name as string) ?? 'Subscription',
    amount: price.unit_amount as number,
    currency: price.currency as string,
    interval: recurring?.interval ?? 'one-time',
  };
}

function checkoutView(core: Core, session: StripeObject, extra: { error?: string; card?: string } = {}) {
  const items = session._line_items as Array<{ price: string }>;
  const customer = session.customer ? core.store.get(session.customer as string) : undefined;
  return checkoutPage({
    session,
    ...priceFacts(core, (items[0] as { price: string }).price),
    email: (session.customer_email as string | null) ?? (customer?.email as string | null) ?? null,
    ...extra,
  });
}

function activeSubscription(core: Core, customerId: string): StripeObject | null {
  return (
    core.store
      .all('subscription')
      .find(
        (s) => s.customer === customerId && !['canceled', 'incomplete_expired'].includes(s.status as string),
      ) ?? null
  );
}

function portalView(core: Core, session: StripeObject, message?: string) {
  const customer = core.find('customer', session.customer as string);
  const sub = activeSubscription(core, customer.id);
  const item = sub ? (sub.items as { data: Array<Record<string, unknown>> }).data[0] : undefined;
  const price = item?.price as Record<string, unknown> | undefined;
  const facts = price
    ? priceFacts(core, price.id as string)
    : { productName: '', amount: 0, currency: 'eur', interval: '' };
  // The other recurring price of the same product: the monthly ↔ annual switch.
  const other = price
    ? core.store
        .all('price')
        .find((p) => p.product === price.product && p.id !== price.id && p.active && p.recurring)
    : undefined;
  return portalPage({
    sessionId: session.id,
    returnUrl: session.return_url as string | null,
    email: customer.email as string | null,
    subscription: sub ? render(sub) : null,
    ...facts,
    periodEnd: (item?.current_period_end as number) ?? 0,
    otherPrice: other
      ? {
          id: other.id,
          amount: other.unit_amount as number,
          currency: other.currency as string,
          interval: (other.recurring as { interval: string }).interval,
        }
      : null,
    ...(message ? { message } : {}),
  });
}

/** The name of the product an invoice's first line bills. */
function invoiceProduct(core: Core, invoice: StripeObject): string {
  const line = (invoice.lines as { data: Array<{ pricing: { price_details: { product: string } } | null }> })
    .data[0];
  const product = line?.pricing ? core.store.get(line.pricing.price_details.product) : undefined;
  return (product?.name as string | undefined) ?? 'Subscription';
}

function invoiceView(core: Core, invoice: StripeObject, extra: { error?: string; message?: string } = {}) {
  return invoicePage({
    invoice,
    productName: invoiceProduct(core, invoice),
    email: invoice.customer_email as string | null,
    needsAuthentication: intentOf(core, invoice.id)?.status === 'requires_action',
    ...extra,
  });
}

/**
 * The hosted invoice page at /i/:id (pay an open invoice, or confirm the 3-D Secure payment a renewal
 * is waiting for) and its PDF at /i/:id/pdf. A draft has neither, as on Stripe.
 */
function hostedInvoice(
  core: Core,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  match: RegExpExecArray,
  form: URLSearchParams,
): true {
  const invoice = core.find('invoice', decodeURIComponent(match[1] as string));
  if (invoice.status === 'draft') throw missing('invoice', invoice.id);
  if (match[2]) {
    if (req.method !== 'GET') return html(res, 405, messagePage('Not allowed', 'The PDF can only be read.'));
    res.writeHead(200, {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${String(invoice.number ?? invoice.id)}.pdf"`,
      'cache-control': 'no-store',
    });
    res.end(pdfDocument(invoicePdfLines(invoice, invoiceProduct(core, invoice))));
    return true;
  }
  if (req.method !== 'POST') {
    return html(
      res,
      200,
      invoiceView(
        core,
        invoice,
        url.searchParams.get('paid') ? { message: 'Thank you: your payment went through.' } : {},
      ),
    );
  }
  if (invoice.status !== 'open') return html(res, 409, invoiceView(core, invoice));
  let card: CardBehavior;
  if (form.get('action') === 'confirm') card = customerCard(core, invoice.customer as string);
  else {
    const typed = cardBehavior(form.get('card') ?? '');
    if (typed === 'invalid')
      return html(
        res,
        402,
        invoiceView(core, invoice, {
          error: 'Your card number is invalid. Use a test card such as 4242 4242 4242 4242.',
        }),
      );
    card = typed;
  }
  const outcome = payInvoiceNow(core, invoice, card, 'customer_present');
  core.store.save();
  if (outcome !== 'succeeded')
    return html(res, 402, invoiceView(core, invoice, { error: 'Your card was declined.' }));
  res.writeHead(303, {
    location: `/i/${encodeURIComponent(invoice.id)}?paid=1`,
    'cache-control': 'no-store',
  });
  res.end();
  return true;
}

function invoicePdfLines(invoice: StripeObject, product: string): string[] {
  const day = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 10);
  return [
    `Invoice ${String(invoice.number ?? invoice.id)}`,
    `${String(invoice.account_name)} (test mode, Stripe emulator)`,
    `Billed to: ${String(invoice.customer_email ?? invoice.customer)}`,
    `Date: ${day(invoice.created)}`,
    `${product}: ${day(invoice.period_start as number)} to ${day(invoice.period_end as number)}`,
    `Total: ${money(invoice.total as number, invoice.currency as string)}`,
    `Amount due: ${money(invoice.amount_due as number, invoice.currency as string)}`,
    `Status: ${String(invoice.status)}`,
  ];
}

const DONE: Record<string, string> = {
  cancel: 'Your subscription will be canceled at the end of the period.',
  resume: 'Your subscription will renew.',
  switch: 'Your plan was changed.',
};

/** The pages a browser sees: Checkout at /c/pay/:id and the customer portal at /p/session/:id. */
export async function handleHosted(
  core: Core,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const checkout = /^\/c\/pay\/([^/]+)$/.exec(url.pathname);
  const portal = /^\/p\/session\/([^/]+)$/.exec(url.pathname);
  const invoicePath = /^\/i\/([^/]+)(\/pdf)?$/.exec(url.pathname);
  if (!checkout && !portal && !invoicePath) return false;
  try {
    runDueWork(core);
    const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : new URLSearchParams();
    if (invoicePath) return hostedInvoice(core, req, res, url, invoicePath, form);
    if (checkout) {
      const session = core.find(
        'checkout.session',
        decodeURIComponent(checkout[1] as string),
        'checkout.session',
      );
      if (req.method !== 'POST') return html(res, 200, checkoutView(core, session));
      if (session.status !== 'open') return html(res, 409, checkoutView(core, session));
      const outcome = payCheckoutSession(core, session.id, {
        email: form.get('email') ?? undefined,
        card: form.get('card') ?? undefined,
      });
      core.store.save();
      if (!outcome.ok) {
        html(res, 402, checkoutView(core, session, { error: outcome.message, card: form.get('card') ?? '' }));
        return true;
      }
      res.writeHead(303, { location: outcome.redirect, 'cache-control': 'no-store' });
      res.end();
      return true;
    }
    const session = core.find(
      'billing_portal.session',
      decodeURIComponent((portal as RegExpExecArray)[1] as string),
      'billing portal session',
    );
    if (req.method !== 'POST') {
      const done = url.searchParams.get('done') ?? '';
      return html(res, 200, portalView(core, session, Object.hasOwn(DONE, done) ? DONE[done] : undefined));
    }
    const sub = activeSubscription(core, session.customer as string);
    if (!sub) return html(res, 409, portalView(core, session, 'There is no active subscription to change.'));
    const action = form.get('action') ?? '';
    let previous: Record<string, unknown>;
    if (action === 'cancel') previous = setCancelAtPeriodEnd(core, sub, true);
    else if (action === 'resume') previous = setCancelAtPeriodEnd(core, sub, false);
    else if (action === 'switch' && form.get('price')) {
      previous = { items: render(sub.items) };
      switchPrice(core, sub, form.get('price') as string);
    } else {
      return html(res, 400, portalView(core, session, 'Unknown action.'));
    }
    core.emit('customer.subscription.updated', sub, previous);
    core.store.save();
    // Post/redirect/get: reloading the page shows the outcome without doing it twice.
    res.writeHead(303, {
      location: `/p/session/${encodeURIComponent(session.id)}?done=${action}`,
      'cache-control': 'no-store',
    });
    res.end();
    return true;
  } catch (err) {
    const status = err instanceof StripeApiError ? err.status : 500;
    html(
      res,
      status,
      messagePage('Not available', err instanceof Error ? err.message : 'Something went wrong.'),
    );
    return true;
  }
}
