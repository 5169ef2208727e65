import { customerCard, payInvoiceNow } from '../billing';
import type { Core } from '../core';
import { badParam, StripeApiError } from '../errors';
import {
  allow,
  createdIn,
  type ExpandHook,
  expandObject,
  expandOf,
  listPage,
  type Route,
  str,
  whereGiven,
} from '../params';
import { render, type StripeObject } from '../store';

/** `payments` is not in an invoice unless asked for (`expand[]=payments`), as on Stripe. */
function invoiceExpand(core: Core): ExpandHook {
  return (record, field) => {
    if (field !== 'payments') return undefined;
    const data = core.store
      .all('invoice_payment')
      .filter((p) => p.invoice === record.id)
      .map((p) => render(p));
    return { object: 'list', data, has_more: false, url: `/v1/invoice_payments?invoice=${record.id}` };
  };
}

export function showInvoice(core: Core, invoice: StripeObject, expand: string[]) {
  return expandObject(core, render(invoice), expand, invoiceExpand(core));
}

export const invoiceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/invoices/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return showInvoice(core, core.find('invoice', params.id as string), expandOf(body));
    },
  },
  {
    method: 'GET',
    path: '/v1/invoices',
    handler: (core, { body }) => {
      allow(body, [
        'customer',
        'subscription',
        'status',
        'limit',
        'starting_after',
        'ending_before',
        'created',
      ]);
      const items = whereGiven(createdIn(core.store.all('invoice'), body), [
        [str(body, 'customer'), (i) => i.customer],
        [
          str(body, 'subscription'),
          (i) =>
            (i.parent as { subscription_details?: { subscription?: string } } | null)?.subscription_details
              ?.subscription,
        ],
        [str(body, 'status'), (i) => i.status],
      ]);
      return listPage(core, items, body, '/v1/invoices', 'data.', invoiceExpand(core));
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/pay',
    handler: (core, { params, body }) => {
      allow(body, ['off_session']);
      const invoice = core.find('invoice', params.id as string);
      if (invoice.status !== 'open')
        throw badParam(
          'invoice',
          `Invoice ${invoice.id} is ${invoice.status}: only an open invoice can be paid.`,
        );
      // Off session, as a server's call is: a card that needs 3-D Secure needs the customer on the
      // hosted invoice page, and Stripe answers 402 with the invoice left open.
      const outcome = payInvoiceNow(
        core,
        invoice,
        customerCard(core, invoice.customer as string),
        'off_session',
      );
      core.store.save();
      if (outcome === 'requires_action')
        throw new StripeApiError(
          402,
          'card_error',
          'invoice_payment_intent_requires_action',
          'This payment requires additional user action before it can be completed successfully.',
        );
      if (outcome === 'failed')
        throw new StripeApiError(402, 'card_error', 'card_declined', 'Your card was declined.', undefined, {
          decline_code: 'generic_decline',
        });
      return showInvoice(core, invoice, expandOf(body));
    },
  },
  {
    method: 'GET',
    path: '/v1/invoice_payments',
    handler: (core, { body }) => {
      allow(body, ['invoice', 'limit', 'starting_after', 'ending_before', 'status']);
      const items = whereGiven(core.store.all('invoice_payment'), [
        [str(body, 'invoice'), (p) => p.invoice],
        [str(body, 'status'), (p) => p.status],
      ]);
      return listPage(core, items, body, '/v1/invoice_payments');
    },
  },
  {
    method: 'GET',
    path: '/v1/invoice_payments/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return expandObject(core, render(core.find('invoice_payment', params.id as string)), expandOf(body));
    },
  },
];
