import type Stripe from 'stripe';
import type { PlanPrice } from '../../contracts/api';
import { findPricesByLookupKey, type PriceIds } from './catalog';

const PLANS_TTL_MS = 5 * 60_000;

/**
 * The two Pro prices: the configured ids, or the ones Stripe finds by lookup key (resolved once,
 * then kept). The amounts shown to users are read from Stripe and cached for a few minutes.
 */
export class PriceCatalog {
  private ids: PriceIds | null;
  private plans: { at: number; value: PlanPrice[] } | null = null;

  constructor(
    private readonly stripe: Stripe | null,
    configured: { monthly: string | null; annual: string | null },
    private readonly nowMs: () => number = Date.now,
  ) {
    this.ids =
      configured.monthly && configured.annual
        ? { monthly: configured.monthly, annual: configured.annual }
        : null;
  }

  /** Known without a network call: the ids configured or already resolved. */
  known(): PriceIds | null {
    return this.ids;
  }

  async resolve(): Promise<PriceIds> {
    if (this.ids) return this.ids;
    if (!this.stripe) throw new Error('Stripe is not configured');
    const found = await findPricesByLookupKey(this.stripe);
    if (!found)
      throw new Error(
        'No Pro prices: set STRIPE_PRICE_MONTHLY and STRIPE_PRICE_ANNUAL, or run `npm run stripe:setup` to create the prices with lookup keys',
      );
    this.ids = found;
    return found;
  }

  intervalOf(priceId: string | null): 'month' | 'year' | null {
    if (!priceId || !this.ids) return null;
    return priceId === this.ids.monthly ? 'month' : priceId === this.ids.annual ? 'year' : null;
  }

  async planPrices(): Promise<PlanPrice[]> {
    if (this.plans && this.nowMs() - this.plans.at < PLANS_TTL_MS) return this.plans.value;
    if (!this.stripe) throw new Error('Stripe is not configured');
    const ids = await this.resolve();
    const value = await Promise.all(
      (['monthly', 'annual'] as const).map(async (which) => {
        const price = await this.stripe?.prices.retrieve(ids[which], { expand: ['product'] });
        if (!price?.recurring || price.unit_amount === null)
          throw new Error(`The ${which} price ${ids[which]} is not a recurring price with an amount`);
        const product = price.product as Stripe.Product | string;
        return {
          id: price.id,
          interval: which === 'monthly' ? 'month' : 'year',
          unitAmount: price.unit_amount,
          currency: price.currency,
          productName: typeof product === 'string' ? product : product.name,
          taxBehavior: taxBehaviorOf(price),
        } satisfies PlanPrice;
      }),
    );
    this.plans = { at: this.nowMs(), value };
    return value;
  }
}

function taxBehaviorOf(price: Stripe.Price): PlanPrice['taxBehavior'] {
  if (price.tax_behavior === 'inclusive') return 'inclusive';
  if (price.tax_behavior === 'exclusive') return 'exclusive';
  return 'unspecified';
}
