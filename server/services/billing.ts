import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { paths } from '../../contracts/api';
import type { SubscriptionStatus } from '../../contracts/plan';
import type { Db } from '../db/connect';
import type { UsersTable } from '../db/schema';
import { decidingSubscription, planAfterSync } from '../domain/plan-rule';
import { DomainError } from '../domain/errors';
import type { PriceCatalog } from '../stripe/prices';
import { requireUser } from './users';

export type SyncOutcome = { userId: string; plan: UsersTable['plan']; status: string | null } | null;

/** Stripe's own failures (network, 5xx, rate limits) are "try again", never a crash. */
export function stripeUnavailable(err: unknown): DomainError {
  const message = err instanceof Error ? err.message : String(err);
  return new DomainError('stripe_unavailable', `Stripe could not be reached: ${message}`);
}

/**
 * Checkout, portal and the one "sync this customer from Stripe" function that webhooks and the
 * return page both call: it reads the customer's subscriptions from Stripe and writes the truth,
 * so the order and repetition of events do not matter.
 */
export class Billing {
  /** One customer creation at a time per user in this process; the idempotency key covers others. */
  private creating = new Map<string, Promise<string>>();

  constructor(
    private readonly deps: {
      db: Db;
      stripe: Stripe;
      prices: PriceCatalog;
      publicUrl: () => string;
      pastDueKeepsPro: boolean;
      logger: Logger;
      now: () => Date;
    },
  ) {}

  async checkout(userId: string, priceId: string, state: string): Promise<{ url: string }> {
    const prices = await this.deps.prices.resolve().catch((e) => {
      throw stripeUnavailable(e);
    });
    if (priceId !== prices.monthly && priceId !== prices.annual)
      throw new DomainError('invalid_price', 'That price is not one of the Pro prices.');
    const user = await requireUser(this.deps.db, userId);
    if (user.plan !== 'free')
      throw new DomainError(
        'already_subscribed',
        'You are already subscribed; manage the subscription instead.',
      );
    const customer = await this.ensureCustomer(user);
    const base = this.deps.publicUrl();
    const q = new URLSearchParams({ state });
    try {
      const session = await this.deps.stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          customer,
          line_items: [{ price: priceId, quantity: 1 }],
          client_reference_id: user.id,
          metadata: { user_id: user.id },
          subscription_data: { metadata: { user_id: user.id } },
          // Stripe fills in {CHECKOUT_SESSION_ID}; it must stay unescaped.
          success_url: `${base}${paths.checkoutReturn}?session_id={CHECKOUT_SESSION_ID}&${q}`,
          cancel_url: `${base}${paths.checkoutReturn}?status=cancel&${q}`,
          allow_promotion_codes: true,
        },
        { idempotencyKey: `siberia-checkout-${user.id}-${priceId}-${state}` },
      );
      if (!session.url) throw new Error('Stripe answered a session without a URL');
      return { url: session.url };
    } catch (err) {
      throw stripeUnavailable(err);
    }
  }

  /** The user's Stripe customer, created once: before any session, and never twice. */
  private async ensureCustomer(user: UsersTable): Promise<string> {
    if (user.stripe_customer_id) return user.stripe_customer_id;
    const running = this.creating.get(user.id);
    if (running) return running;
    const work = (async () => {
      const fresh = await requireUser(this.deps.db, user.id);
      if (fresh.stripe_customer_id) return fresh.stripe_customer_id;
      let customer: Stripe.Customer;
      try {
        // The same key from another server process gets the same customer back from Stripe.
        customer = await this.deps.stripe.customers.create(
          { email: fresh.email, metadata: { user_id: fresh.id } },
          { idempotencyKey: `siberia-customer-${fresh.id}` },
        );
      } catch (err) {
        throw stripeUnavailable(err);
      }
      await this.deps.db
        .updateTable('users')
        .set({ stripe_customer_id: customer.id, updated_at: this.deps.now().toISOString() })
        .where('id', '=', fresh.id)
        .where('stripe_customer_id', 'is', null)
        .execute();
      const stored = await requireUser(this.deps.db, fresh.id);
      return stored.stripe_customer_id ?? customer.id;
    })();
    this.creating.set(user.id, work);
    try {
      return await work;
    } finally {
      this.creating.delete(user.id);
    }
  }

  async portal(userId: string): Promise<{ url: string }> {
    const user = await requireUser(this.deps.db, userId);
    if (!user.stripe_customer_id)
      throw new DomainError('no_subscription', 'There is no subscription to manage yet.');
    try {
      const session = await this.deps.stripe.billingPortal.sessions.create({
        customer: user.stripe_customer_id,
        return_url: `${this.deps.publicUrl()}${paths.portalReturn}`,
      });
      return { url: session.url };
    } catch (err) {
      throw stripeUnavailable(err);
    }
  }

  /**
   * Reads the customer's subscriptions from Stripe and writes plan, status, price, period end and
   * cancel-at-period-end. Null when the customer is not one of ours. Throws when Stripe or the
   * database fails, so the webhook answers 500 and Stripe retries.
   */
  async syncCustomer(customerId: string): Promise<SyncOutcome> {
    const user = await this.deps.db
      .selectFrom('users')
      .selectAll()
      .where('stripe_customer_id', '=', customerId)
      .executeTakeFirst();
    if (!user) return null;
    const prices = await this.deps.prices.resolve();
    const subs = await this.deps.stripe.subscriptions.list({
      customer: customerId,
      status: 'all',
      limit: 100,
    });
    const facts = subs.data.map((s) => {
      const item = s.items.data[0];
      return {
        id: s.id,
        status: s.status as SubscriptionStatus,
        priceId: item?.price.id ?? null,
        // This API version keeps the period on the subscription's items.
        currentPeriodEnd: item?.current_period_end ?? null,
        cancelAtPeriodEnd: s.cancel_at_period_end || s.cancel_at !== null,
      };
    });
    const deciding = decidingSubscription(facts);
    const plan = planAfterSync(user.plan, deciding ?? { status: null, priceId: null }, {
      configuredPrices: [prices.monthly, prices.annual],
      pastDueKeepsPro: this.deps.pastDueKeepsPro,
    });
    await this.deps.db
      .updateTable('users')
      .set({
        plan,
        stripe_subscription_id: deciding?.id ?? null,
        subscription_status: deciding?.status ?? null,
        price_id: deciding?.priceId ?? null,
        current_period_end:
          deciding?.currentPeriodEnd != null
            ? new Date(deciding.currentPeriodEnd * 1000).toISOString()
            : null,
        cancel_at_period_end: deciding?.cancelAtPeriodEnd ? 1 : 0,
        updated_at: this.deps.now().toISOString(),
      })
      .where('id', '=', user.id)
      .execute();
    return { userId: user.id, plan, status: deciding?.status ?? null };
  }

  /**
   * The browser's return from Checkout: the session must be one of ours (its user and customer
   * match a row), then that customer is synced. Null for a session that is not ours.
   */
  async confirmCheckout(sessionId: string): Promise<{ outcome: SyncOutcome; paid: boolean } | null> {
    const session = await this.deps.stripe.checkout.sessions.retrieve(sessionId);
    const userId = session.client_reference_id ?? session.metadata?.user_id ?? null;
    const customerId =
      typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null);
    if (!userId || !customerId) return null;
    const user = await this.deps.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user || user.stripe_customer_id !== customerId) return null;
    const outcome = await this.syncCustomer(customerId);
    return { outcome, paid: session.status === 'complete' && session.payment_status !== 'unpaid' };
  }
}
