import { allow, expandObject, expandOf, listPage, type Route, str } from '../params';
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
