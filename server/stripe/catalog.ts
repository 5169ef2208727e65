import type Stripe from 'stripe';

export const PRO_PRODUCT_NAME = 'Siberia Mix Pro';
export const LOOKUP_KEYS = { monthly: 'siberia_pro_monthly', annual: 'siberia_pro_annual' } as const;
/** The Pro prices in EUR cents: what `stripe:setup` creates. The app shows whatever Stripe says. */
export const PRO_PRICES = {
  monthly: { unitAmount: 999, interval: 'month' },
  annual: { unitAmount: 9999, interval: 'year' },
} as const;

/** The events the companion server acts on; a webhook endpoint made by `stripe:setup` sends these. */
export const WEBHOOK_EVENTS = [
  'checkout.session.completed',
  'checkout.session.expired',
  'customer.deleted',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.trial_will_end',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
] as const satisfies readonly Stripe.WebhookEndpointCreateParams.EnabledEvent[];

export type PriceIds = { monthly: string; annual: string };

export type CatalogSetup = PriceIds & {
  productId: string;
  created: string[];
  webhook: { id: string; url: string; secret: string | null; created: boolean } | null;
};

/** The active prices with our lookup keys, or null when either is missing. */
export async function findPricesByLookupKey(stripe: Stripe): Promise<PriceIds | null> {
  const list = await stripe.prices.list({
    lookup_keys: [LOOKUP_KEYS.monthly, LOOKUP_KEYS.annual],
    active: true,
    limit: 10,
  });
  const monthly = list.data.find((p) => p.lookup_key === LOOKUP_KEYS.monthly);
  const annual = list.data.find((p) => p.lookup_key === LOOKUP_KEYS.annual);
  return monthly && annual ? { monthly: monthly.id, annual: annual.id } : null;
}

/**
 * Creates, idempotently, the Pro product with its two EUR prices (found again by lookup key, so a
 * second run creates nothing) and, given a URL, a webhook endpoint for the events above. Works the
 * same against the emulator and against Stripe in test mode.
 */
export async function setupStripeCatalog(
  stripe: Stripe,
  opts: { webhookUrl?: string } = {},
): Promise<CatalogSetup> {
  const created: string[] = [];
  const existing = await stripe.prices.list({
    lookup_keys: [LOOKUP_KEYS.monthly, LOOKUP_KEYS.annual],
    active: true,
    expand: ['data.product'],
    limit: 10,
  });
  const byKey = new Map(existing.data.map((p) => [p.lookup_key, p]));
  const productOf = (p: Stripe.Price | undefined) =>
    p ? (typeof p.product === 'string' ? p.product : p.product.id) : undefined;
  let productId = productOf(byKey.get(LOOKUP_KEYS.monthly)) ?? productOf(byKey.get(LOOKUP_KEYS.annual));
  if (!productId) {
    const product = await stripe.products.create(
      { name: PRO_PRODUCT_NAME, metadata: { app: 'siberia-mix', plan: 'pro' } },
      { idempotencyKey: 'siberia-setup-product-pro-v1' },
    );
    productId = product.id;
    created.push(`product ${product.id} (${PRO_PRODUCT_NAME})`);
  }
  const ids: Partial<PriceIds> = {};
  for (const which of ['monthly', 'annual'] as const) {
    const found = byKey.get(LOOKUP_KEYS[which]);
    if (found) {
      ids[which] = found.id;
      continue;
    }
    const spec = PRO_PRICES[which];
    const price = await stripe.prices.create(
      {
        product: productId,
        currency: 'eur',
        unit_amount: spec.unitAmount,
        recurring: { interval: spec.interval },
        lookup_key: LOOKUP_KEYS[which],
        metadata: { app: 'siberia-mix', plan: 'pro' },
      },
      { idempotencyKey: `siberia-setup-price-${which}-${productId}` },
    );
    ids[which] = price.id;
    created.push(`price ${price.id} (${spec.unitAmount / 100} EUR / ${spec.interval})`);
  }

  let webhook: CatalogSetup['webhook'] = null;
  if (opts.webhookUrl) {
    const endpoints = await stripe.webhookEndpoints.list({ limit: 100 });
    const same = endpoints.data.find((e) => e.url === opts.webhookUrl && e.status !== 'disabled');
    if (same) {
      // Stripe shows an endpoint's secret only when it is created.
      webhook = { id: same.id, url: same.url, secret: null, created: false };
    } else {
      const endpoint = await stripe.webhookEndpoints.create({
        url: opts.webhookUrl,
        enabled_events: [...WEBHOOK_EVENTS],
        description: 'Siberia Mix companion server',
      });
      webhook = { id: endpoint.id, url: endpoint.url, secret: endpoint.secret ?? null, created: true };
      created.push(`webhook endpoint ${endpoint.id} → ${endpoint.url}`);
    }
  }
  return { productId, monthly: ids.monthly as string, annual: ids.annual as string, created, webhook };
}
