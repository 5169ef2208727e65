import { createSubscription } from '../billing';
import { cardBehavior } from '../cards';
import { COUNTRIES, normalizeVatNumber, type TaxId } from '../tax';
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

export type CheckoutTax = {
  automatic: boolean;
  billingAddressCollection: 'auto' | 'required' | null;
  customerUpdate: { address?: string; name?: string } | null;
  taxIdCollection: boolean;
};

/** Checkout's tax parameters, checked: `automatic_tax`, `billing_address_collection`, `customer_update`, `tax_id_collection`. */
function taxSettings(core: Core, body: FormObject): CheckoutTax {
  const automatic = obj(body, 'automatic_tax');
  if (automatic) allow(automatic, ['enabled']);
  const enabled = automatic ? (bool(automatic, 'enabled') ?? false) : false;
  const collection = str(body, 'billing_address_collection');
  if (collection !== undefined && collection !== 'auto' && collection !== 'required')
    throw badParam(
      'billing_address_collection',
      'Invalid billing_address_collection: must be one of auto, required',
    );
  const update = obj(body, 'customer_update');
  if (update) {
    allow(update, ['address', 'name']);
    for (const key of ['address', 'name'] as const) {
      const v = str(update, key);
      if (v !== undefined && v !== 'auto' && v !== 'never')
        throw badParam(
          `customer_update[${key}]`,
          `Invalid customer_update[${key}]: must be one of auto, never`,
        );
    }
  }
  const taxIds = obj(body, 'tax_id_collection');
  if (taxIds) allow(taxIds, ['enabled', 'required']);
  if (enabled && !core.taxActive)
    throw new StripeApiError(
      400,
      'invalid_request_error',
      undefined,
      'Stripe Tax has not been activated on your account. Please visit https://stripe.com/docs/tax/set-up to get started.',
      'automatic_tax[enabled]',
    );
  return {
    automatic: enabled,
    billingAddressCollection: (collection as 'auto' | 'required' | undefined) ?? null,
    customerUpdate: update ? { ...(update as { address?: string; name?: string }) } : null,
    taxIdCollection: taxIds ? (bool(taxIds, 'enabled') ?? false) : false,
  };
}

/**
 * What Stripe requires of an existing customer: automatic tax needs an address on it or the one typed
 * in Checkout saved to it; tax ID collection needs the business name saved to it.
 */
function checkCustomerUpdates(customer: StripeObject, tax: CheckoutTax): void {
  if (tax.automatic && !customer.address && tax.customerUpdate?.address !== 'auto')
    throw new StripeApiError(
      400,
      'invalid_request_error',
      'customer_tax_location_invalid',
      "Automatic tax calculation in Checkout requires a valid address on the Customer. Add a valid address to the Customer or set either `customer_update[address]` to 'auto' or `customer_update[shipping]` to 'auto' to save the address entered in Checkout to the Customer.",
      'customer_update[address]',
    );
  if (tax.taxIdCollection && tax.customerUpdate?.name !== 'auto')
    throw badParam(
      'customer_update[name]',
      'tax_id_collection requires updating business name on the customer. To enable tax ID collection for an existing customer, please set `customer_update[name]` to `auto`.',
    );
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
        'automatic_tax',
        'customer_update',
        'tax_id_collection',
      ]);
      const tax = taxSettings(core, body);
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
      const existing = customer ? core.find('customer', customer, 'customer', 'customer') : undefined;
      if (existing) checkCustomerUpdates(existing, tax);
      if (tax.automatic)
        for (const [i, li] of items.entries()) {
          const price = core.find('price', li.price);
          if (price.tax_behavior === 'unspecified')
            throw badParam(
              `line_items[${i}][price]`,
              `Automatic tax needs a tax behavior: the price ${price.id} has tax_behavior 'unspecified'. Set tax_behavior on the price, or a default tax behavior in the Dashboard's tax settings.`,
            );
        }
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
        automatic_tax: tax.automatic
          ? {
              enabled: true,
              liability: { type: 'self' },
              provider: 'stripe',
              status: existing?.address ? 'complete' : 'requires_location_inputs',
            }
          : { enabled: false, liability: null, provider: null, status: null },
        billing_address_collection: tax.billingAddressCollection,
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
        _customer_update: tax.customerUpdate,
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
        tax_id_collection: { enabled: tax.taxIdCollection, required: 'never' },
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

export type PayForm = {
  email?: string;
  card?: string;
  country?: string;
  line1?: string;
  postal_code?: string;
  city?: string;
  business_name?: string;
  tax_id?: string;
};

/** Which address the hosted page asks for: all of it (`required`), or what tax needs (country, postal code). */
export function addressAsked(session: StripeObject): 'full' | 'tax' | 'none' {
  if (session.billing_address_collection === 'required') return 'full';
  const automatic = (session.automatic_tax as { enabled: boolean }).enabled;
  return automatic || session.billing_address_collection === 'auto' ? 'tax' : 'none';
}

type Address = {
  city: string | null;
  country: string;
  line1: string | null;
  line2: null;
  postal_code: string | null;
  state: null;
};

/** The address and tax ID typed on the page, checked; a message for the first thing missing or wrong. */
function readBuyer(
  session: StripeObject,
  form: PayForm,
): { address: Address | null; taxIds: TaxId[]; businessName: string | null } | string {
  const asked = addressAsked(session);
  const text = (v: string | undefined) => v?.trim() || null;
  let address: Address | null = null;
  if (asked !== 'none') {
    const country = text(form.country)?.toUpperCase() ?? '';
    if (!Object.hasOwn(COUNTRIES, country)) return 'Choose your country.';
    address = {
      city: text(form.city),
      country,
      line1: text(form.line1),
      line2: null,
      postal_code: text(form.postal_code),
      state: null,
    };
    if (!address.postal_code) return 'Enter your postal code.';
    if (asked === 'full' && (!address.line1 || !address.city)) return 'Enter your full billing address.';
  }
  const typedId = text(form.tax_id);
  const businessName = text(form.business_name);
  if (!(session.tax_id_collection as { enabled: boolean } | undefined)?.enabled || !typedId)
    return { address, taxIds: [], businessName: null };
  const vat = normalizeVatNumber(typedId);
  if (!vat) return 'Enter a valid VAT number, such as DE123456789.';
  if (!businessName) return 'Enter the business name that goes with the VAT number.';
  return { address, taxIds: [{ type: 'eu_vat', value: vat }], businessName };
}

/** The hosted page's "Pay": a declined or invalid card, or a bad address, leaves the session open with a message. */
export function payCheckoutSession(core: Core, sessionId: string, form: PayForm): PayOutcome {
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
  const buyer = readBuyer(session, form);
  if (typeof buyer === 'string') return { ok: false, message: buyer };
  let customerId = session.customer as string | null;
  const email = (session.customer_email as string | null) ?? form.email?.trim() ?? null;
  // A customer Checkout creates keeps what was typed; an existing one only what customer_update allows.
  const update = (session._customer_update ?? {}) as { address?: string; name?: string };
  if (!customerId) {
    if (!email || !/^[^@\s]+@[^@\s]+$/.test(email))
      return { ok: false, message: 'Enter a valid email address.' };
    const customer = insertCustomer(core, {
      at: core.now(),
      email,
      card: behavior,
      name: buyer.businessName,
    });
    customer.address = buyer.address;
    customer._tax_ids = buyer.taxIds;
    core.emit('customer.created', customer);
    customerId = customer.id;
  } else {
    const customer = core.find('customer', customerId);
    customer._card = behavior;
    const previous: Record<string, unknown> = {};
    if (buyer.address && update.address === 'auto') {
      previous.address = customer.address;
      customer.address = buyer.address;
    }
    if (buyer.businessName && update.name === 'auto') {
      previous.name = customer.name;
      customer.name = buyer.businessName;
    }
    if (buyer.taxIds.length > 0) customer._tax_ids = buyer.taxIds;
    if (Object.keys(previous).length > 0) core.emit('customer.updated', customer, previous);
  }
  const items = session._line_items as Array<{ price: string }>;
  const price = core.find('price', (items[0] as { price: string }).price);
  const automaticTax = (session.automatic_tax as { enabled: boolean }).enabled;
  const { subscription, invoice } = createSubscription(core, {
    customer: customerId,
    price,
    metadata: session._subscription_metadata as Record<string, string>,
    card: behavior,
    firstPayment: 'checkout',
    automaticTax,
    ...(session._trial_days ? { trialDays: session._trial_days as number } : {}),
  });
  const customer = core.find('customer', customerId);
  session.customer = customerId;
  session.customer_details = {
    address: buyer.address ?? customer.address ?? null,
    business_name: buyer.businessName,
    email: customer.email,
    individual_name: null,
    name: customer.name ?? null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: buyer.taxIds,
  };
  if (automaticTax) {
    const taxed = invoice.total_taxes as Array<{ amount: number }>;
    const amountTax = taxed.reduce((sum, t) => sum + t.amount, 0);
    session.automatic_tax = { ...(session.automatic_tax as object), status: 'complete' };
    session.total_details = { amount_discount: 0, amount_shipping: 0, amount_tax: amountTax };
    session.amount_total = invoice.total;
  }
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
