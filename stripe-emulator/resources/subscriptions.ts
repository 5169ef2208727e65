import {
  type CardBehavior,
  changePrice,
  createSubscription,
  endSubscription,
  type FirstPayment,
} from '../billing';
import { outcomeOf } from '../payments';
import type { Core } from '../core';
import { badParam, missing, missingParam, StripeApiError } from '../errors';
import type { FormObject } from '../form';
import {
  allow,
  bool,
  expandObject,
  expandOf,
  int,
  listPage,
  metadata,
  type Route,
  required,
  str,
  whereGiven,
} from '../params';
import { render, type StripeObject } from '../store';

const STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'canceled',
  'paused',
  'ended',
  'all',
];

function show(core: Core, sub: StripeObject, expand: string[]) {
  return expandObject(core, render(sub), expand);
}

const PAYMENT_BEHAVIORS = ['allow_incomplete', 'default_incomplete', 'error_if_incomplete'];

const cardDeclined = () =>
  new StripeApiError(402, 'card_error', 'card_declined', 'Your card was declined.', undefined, {
    decline_code: 'generic_decline',
  });

/** The emulator's subscriptions have exactly one item: `items[0][price]` (and `items[0][id]`). */
function oneItem(body: FormObject, op: 'create' | 'update'): [FormObject] {
  const items = body.items;
  if (items === undefined && op === 'create') throw missingParam('items');
  if (!Array.isArray(items) || items.length !== 1 || typeof items[0] !== 'object' || Array.isArray(items[0]))
    throw badParam('items', 'The emulator handles exactly one item: items[0][price] (and items[0][id]).');
  const first = items[0] as FormObject;
  allow(first, op === 'create' ? ['price', 'quantity'] : ['id', 'price', 'quantity']);
  const quantity = str(first, 'quantity');
  if (quantity !== undefined && quantity !== '1') throw badParam('items[0][quantity]', 'Quantity must be 1.');
  return [first];
}

function recurringPrice(core: Core, priceId: string): StripeObject {
  const price = core.find('price', priceId, 'price', 'items[0][price]');
  if (!price.recurring) throw badParam('items[0][price]', 'The new price must be recurring.');
  if (!price.active) throw badParam('items[0][price]', `The price ${price.id} is not active.`);
  return price;
}

/** Changes the subscription's one item to another recurring price (the portal's monthly ↔ annual). */
export function switchPrice(core: Core, sub: StripeObject, priceId: string): void {
  changePrice(core, sub, recurringPrice(core, priceId));
}

export function setCancelAtPeriodEnd(core: Core, sub: StripeObject, value: boolean): Record<string, unknown> {
  const item = (sub.items as { data: Record<string, unknown>[] }).data[0] as Record<string, unknown>;
  const previous = {
    cancel_at_period_end: sub.cancel_at_period_end,
    cancel_at: sub.cancel_at,
    canceled_at: sub.canceled_at,
  };
  sub.cancel_at_period_end = value;
  sub.cancel_at = value ? item.current_period_end : null;
  sub.canceled_at = value ? core.nowFor(sub.customer as string) : null;
  return previous;
}

export const subscriptionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/subscriptions/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return show(core, core.find('subscription', params.id as string), expandOf(body));
    },
  },
  {
    method: 'GET',
    path: '/v1/subscriptions',
    handler: (core, { body }) => {
      allow(body, ['customer', 'status', 'price', 'limit', 'starting_after', 'ending_before', 'test_clock']);
      const status = str(body, 'status');
      if (status !== undefined && !STATUSES.includes(status))
        throw badParam('status', `Invalid status: ${status.slice(0, 20)}`);
      const items = whereGiven(core.store.all('subscription'), [
        [str(body, 'customer'), (s) => s.customer],
        [str(body, 'test_clock'), (s) => s.test_clock],
        [
          str(body, 'price'),
          (s) => (s.items as { data: Array<{ price: { id: string } }> }).data[0]?.price.id,
        ],
      ]).filter((s) =>
        status === 'all'
          ? true
          : status === 'ended'
            ? s.status === 'canceled' || s.status === 'incomplete_expired'
            : status !== undefined
              ? s.status === status
              : s.status !== 'canceled' && s.status !== 'incomplete_expired',
      );
      return listPage(core, items, body, '/v1/subscriptions');
    },
  },
  {
    method: 'POST',
    path: '/v1/subscriptions',
    handler: (core, { body }) => {
      allow(body, [
        'customer',
        'items',
        'metadata',
        'payment_behavior',
        'cancel_at_period_end',
        'description',
        'proration_behavior',
        'collection_method',
        'trial_period_days',
      ]);
      const customer = core.find('customer', required(body, 'customer'), 'customer', 'customer');
      const [first] = oneItem(body, 'create');
      const priceId = str(first, 'price');
      if (!priceId) throw missingParam('items[0][price]');
      const price = core.find('price', priceId, 'price', 'items[0][price]');
      if (!price.recurring) throw badParam('items[0][price]', 'The price must be recurring.');
      if (!price.active) throw badParam('items[0][price]', `The price ${price.id} is not active.`);
      const behavior = str(body, 'payment_behavior') ?? 'allow_incomplete';
      if (!PAYMENT_BEHAVIORS.includes(behavior))
        throw badParam('payment_behavior', `Invalid payment_behavior: ${behavior.slice(0, 40)}`);
      const collection = str(body, 'collection_method') ?? 'charge_automatically';
      if (collection !== 'charge_automatically')
        throw badParam('collection_method', 'The emulator charges automatically only.');
      const cancelAtPeriodEnd = bool(body, 'cancel_at_period_end') ?? false;
      const meta = metadata(body);
      const trialDays = int(body, 'trial_period_days', 1, 730);
      const card = (customer._card as CardBehavior | undefined) ?? 'pays';
      // Stripe answers 402 and creates nothing when the first payment must succeed and does not.
      if (behavior === 'error_if_incomplete' && !trialDays) {
        const outcome = outcomeOf(card, 'api');
        if (outcome === 'failed') throw cardDeclined();
        if (outcome === 'requires_action')
          throw new StripeApiError(
            402,
            'card_error',
            'subscription_payment_intent_requires_action',
            'The first payment needs the customer to complete 3-D Secure; use payment_behavior=default_incomplete.',
          );
      }
      const { subscription } = createSubscription(core, {
        customer: customer.id,
        price,
        metadata: meta,
        card,
        firstPayment: behavior as FirstPayment,
        cancelAtPeriodEnd,
        ...(trialDays ? { trialDays } : {}),
      });
      return show(core, subscription, expandOf(body));
    },
  },
  {
    method: 'POST',
    path: '/v1/subscriptions/:id',
    handler: (core, { params, body }) => {
      allow(body, [
        'cancel_at_period_end',
        'items',
        'metadata',
        'proration_behavior',
        'description',
        'payment_behavior',
      ]);
      const sub = core.find('subscription', params.id as string);
      if (sub.status === 'canceled' || sub.status === 'incomplete_expired')
        throw badParam(
          'subscription',
          'A canceled subscription can only update its cancellation_details and metadata.',
        );
      // Everything is read and checked before anything changes: a bad parameter changes nothing.
      const cancel = bool(body, 'cancel_at_period_end');
      let newPrice: StripeObject | undefined;
      if (body.items !== undefined) {
        const [first] = oneItem(body, 'update');
        const current = (sub.items as { data: Array<{ id: string }> }).data[0];
        const itemId = str(first, 'id');
        if (itemId !== undefined && itemId !== current?.id)
          throw missing('subscription item', itemId, 'items[0][id]');
        const priceId = str(first, 'price');
        if (priceId) newPrice = recurringPrice(core, priceId);
      }
      const nextMetadata =
        body.metadata === undefined ? undefined : metadata(body, sub.metadata as Record<string, string>);
      let previous: Record<string, unknown> = {};
      if (cancel !== undefined) previous = { ...previous, ...setCancelAtPeriodEnd(core, sub, cancel) };
      if (newPrice) {
        previous.items = render(sub.items);
        switchPrice(core, sub, newPrice.id);
      }
      if (nextMetadata) {
        previous.metadata = sub.metadata;
        sub.metadata = nextMetadata;
      }
      core.emit('customer.subscription.updated', sub, previous);
      return show(core, sub, expandOf(body));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/subscriptions/:id',
    handler: (core, { params, body }) => {
      allow(body, ['invoice_now', 'prorate', 'cancellation_details']);
      const sub = core.find('subscription', params.id as string);
      if (sub.status === 'canceled') throw badParam('subscription', 'This subscription is already canceled.');
      endSubscription(core, sub, 'cancellation_requested');
      return show(core, sub, expandOf(body));
    },
  },
];
