import { randomBytes } from 'node:crypto';
import { type CardBehavior, endSubscription } from '../billing';
import { paymentMethodBehavior } from '../cards';
import type { Core } from '../core';
import { missing } from '../errors';
import type { FormObject } from '../form';
import {
  allow,
  expandObject,
  expandOf,
  listPage,
  metadata,
  obj,
  type Route,
  str,
  whereGiven,
} from '../params';
import { render, type StripeObject } from '../store';

const FIELDS = [
  'email',
  'name',
  'description',
  'metadata',
  'phone',
  'test_clock',
  'preferred_locales',
  'payment_method',
  'invoice_settings',
] as const;

/**
 * `payment_method=pm_card_…` and `invoice_settings[default_payment_method]=pm_card_…`: which test card
 * the customer pays with (a customer created without one pays, like pm_card_visa).
 */
function paymentMethod(body: FormObject): { id: string; behavior: CardBehavior } | undefined {
  const settings = obj(body, 'invoice_settings');
  if (settings) allow(settings, ['default_payment_method']);
  const id = (settings ? str(settings, 'default_payment_method') : undefined) ?? str(body, 'payment_method');
  if (id === undefined) return undefined;
  const behavior = paymentMethodBehavior(id);
  if (!behavior)
    throw missing(
      'PaymentMethod',
      id,
      settings ? 'invoice_settings[default_payment_method]' : 'payment_method',
    );
  return { id, behavior };
}

/** A customer as Stripe shapes it (the API's create and Checkout's new customer share it). */
export function insertCustomer(
  core: Core,
  c: {
    at: number;
    email: string | null;
    name?: string | null;
    description?: string | null;
    phone?: string | null;
    metadata?: Record<string, string>;
    testClock?: string | null;
    paymentMethod?: string | null;
    card: CardBehavior;
  },
): StripeObject {
  return core.store.insert({
    ...core.base('customer', c.at),
    address: null,
    balance: 0,
    currency: null,
    default_source: null,
    delinquent: false,
    description: c.description ?? null,
    discount: null,
    email: c.email,
    // Stripe gives every customer a prefix for its invoice numbers (PREFIX-0001, PREFIX-0002, …).
    invoice_prefix: randomBytes(4).toString('hex').toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: c.paymentMethod ?? null,
      footer: null,
      rendering_options: null,
    },
    metadata: c.metadata ?? {},
    name: c.name ?? null,
    next_invoice_sequence: 1,
    phone: c.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: c.testClock ?? null,
    _card: c.card,
  });
}

const ENDED = ['canceled', 'incomplete_expired'];
const deletedStub = (c: StripeObject) => ({ id: c.id, object: 'customer', deleted: true });

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/customers',
    handler: (core, { body }) => {
      allow(body, FIELDS);
      const clock = str(body, 'test_clock');
      if (clock) core.find('test_helpers.test_clock', clock, 'test clock');
      const at = clock ? (core.store.get(clock)?.frozen_time as number) : core.now();
      const pm = paymentMethod(body);
      const customer = insertCustomer(core, {
        at,
        email: str(body, 'email') ?? null,
        name: str(body, 'name') ?? null,
        description: str(body, 'description') ?? null,
        phone: str(body, 'phone') ?? null,
        metadata: metadata(body),
        testClock: clock ?? null,
        paymentMethod: pm?.id ?? null,
        card: pm?.behavior ?? 'pays',
      });
      core.emit('customer.created', customer);
      return expandObject(core, render(customer), expandOf(body));
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      // Stripe still answers a deleted customer's id, with the stub its deletion returned.
      const gone = core.store.get(params.id as string);
      if (gone?.object === 'customer' && gone._deleted) return deletedStub(gone);
      return expandObject(core, render(core.find('customer', params.id as string)), expandOf(body));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/customers/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      const customer = core.find('customer', params.id as string);
      const at = core.nowFor(customer.id);
      // Deleting a customer cancels its subscriptions at once, each with its own event, as on Stripe.
      for (const sub of core.store.all('subscription')) {
        if (sub.customer !== customer.id || ENDED.includes(sub.status as string)) continue;
        endSubscription(core, sub, 'cancellation_requested', at);
      }
      customer._deleted = true;
      core.emit('customer.deleted', customer, undefined, at);
      return deletedStub(customer);
    },
  },
  {
    method: 'POST',
    path: '/v1/customers/:id',
    handler: (core, { params, body }) => {
      allow(
        body,
        FIELDS.filter((f) => f !== 'test_clock'),
      );
      const customer = core.find('customer', params.id as string);
      // Everything is read and checked before anything changes: a bad parameter changes nothing.
      const pm = paymentMethod(body);
      const fields = (['email', 'name', 'description', 'phone'] as const).flatMap((key) => {
        const v = str(body, key);
        return v === undefined ? [] : [[key, v === '' ? null : v] as const];
      });
      const nextMetadata =
        body.metadata === undefined ? undefined : metadata(body, customer.metadata as Record<string, string>);
      const previous: Record<string, unknown> = {};
      if (pm) {
        previous.invoice_settings = customer.invoice_settings;
        customer.invoice_settings = {
          ...(customer.invoice_settings as Record<string, unknown>),
          default_payment_method: pm.id,
        };
        customer._card = pm.behavior;
      }
      for (const [key, value] of fields) {
        previous[key] = customer[key];
        customer[key] = value;
      }
      if (nextMetadata) {
        previous.metadata = customer.metadata;
        customer.metadata = nextMetadata;
      }
      core.emit('customer.updated', customer, previous);
      return expandObject(core, render(customer), expandOf(body));
    },
  },
  {
    method: 'GET',
    path: '/v1/customers',
    handler: (core, { body }) => {
      allow(body, ['email', 'limit', 'starting_after', 'ending_before', 'test_clock']);
      const items = whereGiven(
        core.store.all('customer').filter((c) => !c._deleted),
        [
          [str(body, 'email'), (c) => c.email],
          [str(body, 'test_clock'), (c) => c.test_clock],
        ],
      );
      return listPage(core, items, body, '/v1/customers');
    },
  },
];
