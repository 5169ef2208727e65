import type { Core } from '../core';
import { badParam, missingParam } from '../errors';
import { closeDispute, refundCharge } from '../payments';
import {
  allow,
  createdIn,
  expandObject,
  expandOf,
  int,
  listPage,
  metadata,
  type Route,
  str,
  whereGiven,
} from '../params';
import { render, type StripeObject } from '../store';

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

/** Retrieve and list routes for an object the emulator creates as money moves (read-only over the API). */
function readRoutes(
  objectType: string,
  path: string,
  filters: ReadonlyArray<readonly [param: string, field: (o: StripeObject) => unknown]>,
): Route[] {
  return [
    {
      method: 'GET',
      path: `${path}/:id`,
      handler: (core, { params, body }) => {
        allow(body, []);
        return expandObject(core, render(core.find(objectType, params.id as string)), expandOf(body));
      },
    },
    {
      method: 'GET',
      path,
      handler: (core, { body }) => {
        allow(body, [...filters.map(([p]) => p), 'created', 'limit', 'starting_after', 'ending_before']);
        const items = whereGiven(
          createdIn(core.store.all(objectType), body),
          filters.map(([param, field]) => [str(body, param), field] as const),
        );
        return listPage(core, items, body, path);
      },
    },
  ];
}

/** The charge a refund names: `charge`, or the PaymentIntent's latest charge. */
function chargeToRefund(core: Core, charge: string | undefined, intent: string | undefined): StripeObject {
  if (charge && intent)
    throw badParam('payment_intent', 'You may only specify one of these parameters: charge, payment_intent.');
  if (charge) return core.find('charge', charge, 'charge', 'charge');
  if (!intent) throw missingParam('charge');
  const pi = core.find('payment_intent', intent, 'payment_intent', 'payment_intent');
  if (!pi.latest_charge || pi.status !== 'succeeded')
    throw badParam('payment_intent', `PaymentIntent ${pi.id} has no successful charge to refund.`);
  return core.find('charge', pi.latest_charge as string);
}

export const paymentRoutes: Route[] = [
  ...readRoutes('payment_intent', '/v1/payment_intents', [['customer', (o) => o.customer]]),
  ...readRoutes('charge', '/v1/charges', [
    ['customer', (o) => o.customer],
    ['payment_intent', (o) => o.payment_intent],
  ]),
  ...readRoutes('refund', '/v1/refunds', [
    ['charge', (o) => o.charge],
    ['payment_intent', (o) => o.payment_intent],
  ]),
  ...readRoutes('dispute', '/v1/disputes', [
    ['charge', (o) => o.charge],
    ['payment_intent', (o) => o.payment_intent],
  ]),
  {
    method: 'POST',
    path: '/v1/refunds',
    handler: (core, { body }) => {
      allow(body, ['charge', 'payment_intent', 'amount', 'reason', 'metadata']);
      const charge = chargeToRefund(core, str(body, 'charge'), str(body, 'payment_intent'));
      const amount = int(body, 'amount', 1);
      const reason = str(body, 'reason');
      if (reason !== undefined && !REFUND_REASONS.includes(reason))
        throw badParam('reason', `Invalid reason: must be one of ${REFUND_REASONS.join(', ')}`);
      const refund = refundCharge(core, charge, {
        ...(amount !== undefined ? { amount } : {}),
        ...(reason !== undefined ? { reason } : {}),
        metadata: metadata(body),
      });
      return expandObject(core, render(refund), expandOf(body));
    },
  },
  {
    // Accepting a dispute (the seller concedes): it closes as lost.
    method: 'POST',
    path: '/v1/disputes/:id/close',
    handler: (core, { params, body }) => {
      allow(body, []);
      return render(closeDispute(core, core.find('dispute', params.id as string), 'lost'));
    },
  },
];
