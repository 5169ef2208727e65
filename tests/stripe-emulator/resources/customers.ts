import { allow, expandObject, expandOf, listPage, metadata, type Route, str } from '../params';
import { render } from '../store';

const FIELDS = [
  'email',
  'name',
  'description',
  'metadata',
  'phone',
  'test_clock',
  'preferred_locales',
] as const;

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/customers',
    handler: (core, { body }) => {
      allow(body, FIELDS);
      const clock = str(body, 'test_clock');
      if (clock) core.find('test_helpers.test_clock', clock, 'test clock');
      const at = clock ? (core.store.get(clock)?.frozen_time as number) : core.now();
      const customer = core.store.insert({
        ...core.base('customer', at),
        address: null,
        balance: 0,
        currency: null,
        default_source: null,
        delinquent: false,
        description: str(body, 'description') ?? null,
        email: str(body, 'email') ?? null,
        invoice_prefix: null,
        invoice_settings: {
          custom_fields: null,
          default_payment_method: null,
          footer: null,
          rendering_options: null,
        },
        metadata: metadata(body),
        name: str(body, 'name') ?? null,
        phone: str(body, 'phone') ?? null,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: clock ?? null,
        _card: 'pays',
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
      return expandObject(core, render(core.find('customer', params.id as string)), expandOf(body));
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
      const previous: Record<string, unknown> = {};
      for (const key of ['email', 'name', 'description', 'phone'] as const) {
        const v = str(body, key);
        if (v !== undefined) {
          previous[key] = customer[key];
          customer[key] = v === '' ? null : v;
        }
      }
      if (body.metadata !== undefined) {
        previous.metadata = customer.metadata;
        customer.metadata = metadata(body, customer.metadata as Record<string, string>);
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
      const email = str(body, 'email');
      const clock = str(body, 'test_clock');
      const items = core.store
        .all('customer')
        .filter((c) => !c.deleted)
        .filter((c) => email === undefined || c.email === email)
        .filter((c) => clock === undefined || c.test_clock === clock);
      return listPage(core, items, body, '/v1/customers');
    },
  },
];
