import { badParam } from '../errors';
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
  required,
  str,
  strArray,
  whereGiven,
} from '../params';
import { render } from '../store';

export const priceRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/prices',
    handler: (core, { body }) => {
      allow(body, [
        'product',
        'currency',
        'unit_amount',
        'recurring',
        'lookup_key',
        'metadata',
        'nickname',
        'active',
        'transfer_lookup_key',
      ]);
      const productId = required(body, 'product');
      core.find('product', productId, 'product', 'product');
      const currency = required(body, 'currency').toLowerCase();
      if (!/^[a-z]{3}$/.test(currency))
        throw badParam('currency', `Invalid currency: ${currency.slice(0, 10)}`);
      const unitAmount = int(body, 'unit_amount', 0, 99_999_999);
      if (unitAmount === undefined) throw badParam('unit_amount', 'Missing required param: unit_amount.');
      const recurringIn = obj(body, 'recurring');
      let recurring: Record<string, unknown> | null = null;
      if (recurringIn) {
        allow(recurringIn, ['interval', 'interval_count']);
        const interval = recurringIn.interval;
        if (!['day', 'week', 'month', 'year'].includes(interval as string))
          throw badParam(
            'recurring[interval]',
            'Invalid recurring[interval]: must be one of day, week, month, or year',
          );
        recurring = {
          interval,
          interval_count: int(recurringIn, 'interval_count', 1, 365) ?? 1,
          meter: null,
          trial_period_days: null,
          usage_type: 'licensed',
        };
      }
      const lookupKey = str(body, 'lookup_key');
      const active = bool(body, 'active') ?? true;
      const nickname = str(body, 'nickname') ?? null;
      const meta = metadata(body);
      const transfer = bool(body, 'transfer_lookup_key') ?? false;
      // Checked last and applied only when everything else is valid: a bad request changes nothing.
      if (lookupKey) {
        const taken = core.store.all('price').find((p) => p.lookup_key === lookupKey);
        if (taken) {
          if (transfer) taken.lookup_key = null;
          else throw badParam('lookup_key', `A price (\`${taken.id}\`) already uses that lookup key.`);
        }
      }
      const price = core.store.insert({
        ...core.base('price'),
        active,
        billing_scheme: 'per_unit',
        currency,
        custom_unit_amount: null,
        lookup_key: lookupKey ?? null,
        metadata: meta,
        nickname,
        product: productId,
        recurring,
        tax_behavior: 'unspecified',
        tiers_mode: null,
        transform_quantity: null,
        type: recurring ? 'recurring' : 'one_time',
        unit_amount: unitAmount,
        unit_amount_decimal: String(unitAmount),
      });
      core.emit('price.created', price);
      return expandObject(core, render(price), expandOf(body));
    },
  },
  {
    method: 'GET',
    path: '/v1/prices/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return expandObject(core, render(core.find('price', params.id as string)), expandOf(body));
    },
  },
  {
    method: 'GET',
    path: '/v1/prices',
    handler: (core, { body }) => {
      allow(body, [
        'active',
        'product',
        'lookup_keys',
        'type',
        'currency',
        'limit',
        'starting_after',
        'ending_before',
      ]);
      const keys = strArray(body, 'lookup_keys');
      const items = whereGiven(
        core.store.all('price').filter((p) => !keys || keys.includes(p.lookup_key as string)),
        [
          [bool(body, 'active'), (p) => p.active],
          [str(body, 'product'), (p) => p.product],
          [str(body, 'type'), (p) => p.type],
        ],
      );
      return listPage(core, items, body, '/v1/prices');
    },
  },
];
