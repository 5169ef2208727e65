import { createSubscription } from '../billing';
import { cardBehavior } from '../cards';
import { insertCustomer } from './customers';
import type { Core } from '../core';
import { badParam, StripeApiError } from '../errors';
import type { FormObject } from '../form';
import {
  allow,
  bool,
  expandObject,
  expandOf,
  int,
  listPage,
  metadata,
  obj,
  type Route,
  str,
  whereGiven,
} from '../params';
import { render, type StripeObject } from '../store';

const SESSION_TTL = 24 * 3600;
const LOCALES = ['auto', 'en', 'fr', 'de', 'es', 'it', 'nl', 'pt', 'ja'];

function lineItems(body: FormObject): Array<{ price: string; quantity: number }> {
  const raw = body.line_items;
  if (!Array.isArray(raw) || raw.length === 0)
    throw badParam('line_items', 'Missing required param: line_items.');
  return raw.map((li, i) => {
    if (!li || typeof li !== 'object' || Array.isArray(li))
      throw badParam(`line_items[${i}]`, 'Invalid line item');
    allow(li, ['price', 'quantity']);
    const price = str(li, 'price');
    if (!price) throw badParam(`line_items[${i}][price]`, 'Missing required param: line_items[0][price].');
    return { price, quantity: int(li, 'quantity', 1, 1) ?? 1 };
  });
}

/** The session as the API shows it: `line_items` only when expanded, as on Stripe. */
function sessionExpand(core: Core) {
  return (record: Record<string, unknown>, field: string) => {
    if (field !== 'line_items') return undefined;
    const session = core.store.get(record.id as string);
    const items = (session?._line_items ?? []) as Array<{ price: string; quantity: number }>;
    return {
      object: 'list',
      data: items.map((li, i) => {
        const price = render(core.find('price', li.price));
        return {
          id: `li_${(record.id as string).slice(8, 20)}${i}`,
          object: 'item',
          adjustable_quantity: null,
          amount_discount: 0,
          amount_subtotal: (price.unit_amount as number) * li.quantity,
          amount_tax: 0,
          amount_total: (price.unit_amount as number) * li.quantity,
          currency: price.currency,
          description: null,
          metadata: {},
          price,
          quantity: li.quantity,
        };
      }),
      has_more: false,
      url: `/v1/checkout/sessions/${record.id}/line_items`,
    };
  };
}

export function showSession(core: Core, session: StripeObject, body: FormObject) {
  return expandObject(core, render(session), expandOf(body), sessionExpand(core));
}

export const checkoutRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/checkout/sessions',
    handler: (core, { body }) => {
      allow(body, [
        'mode',
        'customer',
        'customer_email',
        'line_items',
        'client_reference_id',
        'metadata',
        'subscription_data',
        'success_url',
        'cancel_url',
        'allow_promotion_codes',
        'locale',
        'billing_address_collection',
        'payment_method_types',
        'expires_at',
      ]);
      const mode = str(body, 'mode');
      if (mode !== 'subscription')
        throw badParam(
          'mode',
          'The emulator supports Checkout in subscription mode only (mode=subscription).',
        );
      const items = lineItems(body);
      for (const [i, li] of items.entries()) {
        const price = core.find('price', li.price, 'price', `line_items[${i}][price]`);
        if (!price.recurring)
          throw badParam(`line_items[${i}][price]`, 'Subscription mode needs a recurring price.');
        if (!price.active) throw badParam(`line_items[${i}][price]`, `The price ${li.price} is not active.`);
      }
      const customer = str(body, 'customer');
      if (customer) core.find('customer', customer, 'customer', 'customer');
      const email = str(body, 'customer_email');
      if (customer && email)
        throw badParam(
          'customer_email',
          'You may only specify one of these parameters: customer, customer_email.',
        );
      const successUrl = str(body, 'success_url');
      if (!successUrl || !/^https?:\/\//.test(successUrl))
        throw badParam('success_url', 'Not a valid URL: success_url');
      const cancelUrl = str(body, 'cancel_url');
      if (cancelUrl !== undefined && !/^https?:\/\//.test(cancelUrl))
        throw badParam('cancel_url', 'Not a valid URL: cancel_url');
      const subscriptionData = obj(body, 'subscription_data') ?? {};
      allow(subscriptionData, ['metadata', 'description', 'trial_period_days']);
      const trialDays = int(subscriptionData, 'trial_period_days', 1, 730);
      const locale = str(body, 'locale') ?? 'auto';
      if (!LOCALES.includes(locale)) throw badParam('locale', `Invalid locale: ${locale.slice(0, 10)}`);
      // Accepted and recorded; the emulator has no promotion codes to offer.
      const allowPromotionCodes = bool(body, 'allow_promotion_codes');
      const expiresAt = int(body, 'expires_at');
      const firstPrice = core.find('price', (items[0] as { price: string }).price);
      const now = core.nowFor(customer ?? null);
      const session = core.store.insert({
        ...core.base('checkout.session', now),
        adaptive_pricing: { enabled: false },
        after_expiration: null,
        allowed_payment_method_types: null,
        allow_promotion_codes: allowPromotionCodes ?? null,
        // A trial charges nothing today: Checkout shows 0 and completes with no_payment_required.
        amount_subtotal: trialDays ? 0 : firstPrice.unit_amount,
        amount_total: trialDays ? 0 : firstPrice.unit_amount,
        automatic_tax: { enabled: false, liability: null, provider: null, status: null },
        billing_address_collection: str(body, 'billing_address_collection') ?? null,
        cancel_url: cancelUrl ?? null,
        client_reference_id: str(body, 'client_reference_id') ?? null,
        client_secret: null,
        collected_information: null,
        consent: null,
        consent_collection: null,
        currency: firstPrice.currency,
        currency_conversion: null,
        custom_fields: [],
        custom_text: {
          after_submit: null,
          shipping_address: null,
          submit: null,
          terms_of_service_acceptance: null,
        },
        customer: customer ?? null,
        customer_account: null,
        customer_creation: customer ? null : 'always',
        customer_details: null,
        customer_email: email ?? null,
        discounts: [],
        expires_at: expiresAt ?? now + SESSION_TTL,
        integration_identifier: null,
        invoice: null,
        invoice_creation: null,
        locale,
        managed_payments: null,
        metadata: metadata(body),
        mode: 'subscription',
        origin_context: null,
        payment_intent: null,
        payment_link: null,
        payment_method_collection: 'always',
        payment_method_configuration_details: null,
        payment_method_options: {},
        payment_method_types: ['card'],
        payment_status: 'unpaid',
        permissions: null,
        phone_number_collection: { enabled: false },
        recovered_from: null,
        saved_payment_method_options: null,
        setup_intent: null,
        shipping_address_collection: null,
        shipping_cost: null,
        shipping_options: [],
        status: 'open',
        submit_type: null,
        subscription: null,
        success_url: successUrl,
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        ui_mode: 'hosted_page',
        wallet_options: null,
        url: null as string | null,
        _line_items: items,
        _subscription_metadata: metadata(subscriptionData),
        _trial_days: trialDays ?? null,
      });
      session.url = `${core.baseUrl()}/c/pay/${session.id}`;
      return showSession(core, session, body);
    },
  },
  {
    method: 'GET',
    path: '/v1/checkout/sessions/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return showSession(core, core.find('checkout.session', params.id as string, 'checkout.session'), body);
    },
  },
  {
    method: 'GET',
    path: '/v1/checkout/sessions',
    handler: (core, { body }) => {
      allow(body, ['customer', 'subscription', 'status', 'limit', 'starting_after', 'ending_before']);
      const items = whereGiven(core.store.all('checkout.session'), [
        [str(body, 'customer'), (s) => s.customer],
        [str(body, 'subscription'), (s) => s.subscription],
        [str(body, 'status'), (s) => s.status],
      ]);
      return listPage(core, items, body, '/v1/checkout/sessions');
    },
  },
  {
    method: 'POST',
    path: '/v1/checkout/sessions/:id/expire',
    handler: (core, { params, body }) => {
      allow(body, []);
      const session = core.find('checkout.session', params.id as string, 'checkout.session');
      if (session.status !== 'open')
        throw badParam(
          'session',
          `Only Checkout Sessions with a status of open can be expired (this one is ${session.status}).`,
        );
      session.status = 'expired';
      // Stripe shows the url only while the session can be paid.
      session.url = null;
      core.emit('checkout.session.expired', session);
      return showSession(core, session, body);
    },
  },
];

export type PayOutcome = { ok: true; redirect: string } | { ok: false; message: string };

/** The hosted page's "Pay": a declined or invalid card leaves the session open with a message. */
export function payCheckoutSession(
  core: Core,
  sessionId: string,
  form: { email?: string; card?: string },
): PayOutcome {
  const session = core.find('checkout.session', sessionId, 'checkout.session');
  if (session.status !== 'open')
    throw new StripeApiError(
      400,
      'invalid_request_error',
      'checkout_session_not_open',
      `This Checkout Session is ${session.status}.`,
    );
  const behavior = cardBehavior(form.card ?? '');
  if (behavior === 'declined') return { ok: false, message: 'Your card was declined.' };
  if (behavior === 'invalid')
    return {
      ok: false,
      message: 'Your card number is invalid. Use a test card such as 4242 4242 4242 4242.',
    };
  let customerId = session.customer as string | null;
  const email = (session.customer_email as string | null) ?? form.email?.trim() ?? null;
  if (!customerId) {
    if (!email || !/^[^@\s]+@[^@\s]+$/.test(email))
      return { ok: false, message: 'Enter a valid email address.' };
    const customer = insertCustomer(core, { at: core.now(), email, card: behavior });
    core.emit('customer.created', customer);
    customerId = customer.id;
  } else {
    const customer = core.find('customer', customerId);
    customer._card = behavior;
  }
  const items = session._line_items as Array<{ price: string }>;
  const price = core.find('price', (items[0] as { price: string }).price);
  const { subscription, invoice } = createSubscription(core, {
    customer: customerId,
    price,
    metadata: session._subscription_metadata as Record<string, string>,
    card: behavior,
    firstPayment: 'checkout',
    ...(session._trial_days ? { trialDays: session._trial_days as number } : {}),
  });
  const customer = core.find('customer', customerId);
  session.customer = customerId;
  session.customer_details = {
    address: null,
    business_name: null,
    email: customer.email,
    individual_name: null,
    name: customer.name ?? null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  session.subscription = subscription.id;
  session.invoice = invoice.id;
  session.status = 'complete';
  session.url = null;
  session.payment_status = invoice.amount_due === 0 ? 'no_payment_required' : 'paid';
  core.emit('checkout.session.completed', session);
  return {
    ok: true,
    redirect: (session.success_url as string).replaceAll('{CHECKOUT_SESSION_ID}', session.id),
  };
}
