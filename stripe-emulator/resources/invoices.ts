import { allow, expandObject, expandOf, listPage, type Route, str, whereGiven } from '../params';
import { render } from '../store';

export const invoiceRoutes: Route[] = [
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
      const items = whereGiven(core.store.all('invoice'), [
        [str(body, 'customer'), (i) => i.customer],
        [
          str(body, 'subscription'),
          (i) =>
            (i.parent as { subscription_details?: { subscription?: string } } | null)?.subscription_details
              ?.subscription,
        ],
        [str(body, 'status'), (i) => i.status],
      ]);
      return listPage(core, items, body, '/v1/invoices');
    },
  },
];
