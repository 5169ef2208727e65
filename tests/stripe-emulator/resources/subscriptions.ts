import { endSubscription } from '../billing';
import type { Core } from '../core';
import { badParam } from '../errors';
import { allow, bool, expandObject, expandOf, listPage, metadata, type Route, str } from '../params';
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

/** Changes the subscription's one item to another recurring price (the portal's monthly ↔ annual). */
export function switchPrice(core: Core, sub: StripeObject, priceId: string): void {
  const price = core.find('price', priceId);
  if (!price.recurring) throw badParam('items[0][price]', 'The new price must be recurring.');
  const item = (sub.items as { data: Record<string, unknown>[] }).data[0] as Record<string, unknown>;
  item.price = render(price);
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
      const customer = str(body, 'customer');
      const status = str(body, 'status');
      const price = str(body, 'price');
      if (status !== undefined && !STATUSES.includes(status))
        throw badParam('status', `Invalid status: ${status.slice(0, 20)}`);
      const items = core.store
        .all('subscription')
        .filter((s) => customer === undefined || s.customer === customer)
        .filter((s) =>
          status === 'all'
            ? true
            : status === 'ended'
              ? s.status === 'canceled' || s.status === 'incomplete_expired'
              : status !== undefined
                ? s.status === status
                : s.status !== 'canceled' && s.status !== 'incomplete_expired',
        )
        .filter(
          (s) =>
            price === undefined ||
            (s.items as { data: Array<{ price: { id: string } }> }).data[0]?.price.id === price,
        );
      return listPage(core, items, body, '/v1/subscriptions');
    },
  },
  {
    method: 'POST',
    path: '/v1/subscriptions/:id',
    handler: (core, { params, body }) => {
      allow(body, ['cancel_at_period_end', 'items', 'metadata', 'proration_behavior', 'description']);
      const sub = core.find('subscription', params.id as string);
      if (sub.status === 'canceled')
        throw badParam(
          'subscription',
          'A canceled subscription can only update its cancellation_details and metadata.',
        );
      let previous: Record<string, unknown> = {};
      const cancel = bool(body, 'cancel_at_period_end');
      if (cancel !== undefined) previous = { ...previous, ...setCancelAtPeriodEnd(core, sub, cancel) };
      if (body.items !== undefined) {
        const items = body.items;
        if (
          !Array.isArray(items) ||
          items.length !== 1 ||
          typeof items[0] !== 'object' ||
          Array.isArray(items[0])
        )
          throw badParam('items', 'The emulator updates exactly one item: items[0][id] and items[0][price].');
        const first = items[0] as Record<string, never>;
        allow(first, ['id', 'price', 'quantity']);
        const current = (sub.items as { data: Array<{ id: string }> }).data[0];
        if (first.id !== undefined && first.id !== current?.id)
          throw badParam('items[0][id]', `No such subscription item: '${first.id}'`);
        const price = str(first, 'price');
        if (price) {
          previous.items = render(sub.items);
          switchPrice(core, sub, price);
        }
      }
      if (body.metadata !== undefined) {
        previous.metadata = sub.metadata;
        sub.metadata = metadata(body, sub.metadata as Record<string, string>);
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
  {
    method: 'GET',
    path: '/v1/invoices/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return expandObject(core, render(core.find('invoice', params.id as string)), expandOf(body));
    },
  },
  {
    method: 'GET',
    path: '/v1/invoices',
    handler: (core, { body }) => {
      allow(body, ['customer', 'subscription', 'status', 'limit', 'starting_after', 'ending_before']);
      const customer = str(body, 'customer');
      const subscription = str(body, 'subscription');
      const status = str(body, 'status');
      const items = core.store
        .all('invoice')
        .filter((i) => customer === undefined || i.customer === customer)
        .filter(
          (i) =>
            subscription === undefined ||
            (i.parent as { subscription_details?: { subscription?: string } } | null)?.subscription_details
              ?.subscription === subscription,
        )
        .filter((i) => status === undefined || i.status === status);
      return listPage(core, items, body, '/v1/invoices');
    },
  },
];
