import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { SubscriptionStatus } from '../../contracts/plan';
import type { Db } from '../db/connect';
import type { UsersTable } from '../db/schema';
import {
  type Attention,
  decidePlan,
  type InvoiceFacts,
  type PlanReason,
  type SubscriptionFacts,
  surplusSubscriptions,
} from '../domain/plan-rule';
import type { PriceCatalog } from '../stripe/prices';

export type SyncOutcome = {
  userId: string;
  plan: UsersTable['plan'];
  status: SubscriptionStatus | null;
  reason: PlanReason;
  /** The database said otherwise before this sync: a webhook was lost, late or unprocessable. */
  drift: boolean;
  /** Surplus subscriptions this sync cancelled and refunded. */
  cancelled: string[];
} | null;

/** Disputes Stripe has not closed in our favour: open ones, and lost ones (the money went back). */
const SETTLED_FOR_US = new Set(['won', 'warning_closed', 'prevented']);

export type SyncRules = { pastDueKeepsPro: boolean; pastDueGraceDays: number };

/**
 * The one "sync this customer from Stripe" function: webhooks, the Checkout return page and the
 * reconciler all call it. It reads the truth from Stripe (every subscription, paged; the deciding
 * one's latest invoice and its payment), removes surplus subscriptions (cancelled and refunded,
 * recorded), and writes the plan the pure rule decides. Order and repetition of calls do not
 * matter; a sync that started earlier never overwrites one that started later.
 */
export class CustomerSync {
  constructor(
    private readonly deps: {
      db: Db;
      stripe: Stripe;
      prices: PriceCatalog;
      rules: SyncRules;
      logger: Logger;
      now: () => Date;
    },
  ) {}

  async sync(customerId: string): Promise<SyncOutcome> {
    const { db, stripe } = this.deps;
    const startedAt = this.deps.now();
    const user = await db
      .selectFrom('users')
      .selectAll()
      .where('stripe_customer_id', '=', customerId)
      .executeTakeFirst();
    if (!user) return null;
    const prices = await this.deps.prices.resolve();
    const deleted = await this.customerDeleted(customerId);

    const subs: SubscriptionFacts[] = [];
    if (!deleted) {
      // Paged: a customer may have any number of past subscriptions.
      for await (const s of stripe.subscriptions.list({
        customer: customerId,
        status: 'all',
        limit: 100,
        expand: ['data.latest_invoice'],
      })) {
        subs.push(subscriptionFacts(s));
      }
    }
    const { keep, surplus } = surplusSubscriptions(subs);
    const cancelled: string[] = [];
    for (const extra of surplus) {
      await this.cancelSurplus(user.id, extra, keep?.id ?? null);
      cancelled.push(extra.id);
    }
    if (keep?.latestInvoice) keep.latestInvoice = await this.withPayment(keep.latestInvoice);
    const disputed = await db
      .selectFrom('disputes')
      .select('id')
      .where('user_id', '=', user.id)
      .where('status', 'not in', [...SETTLED_FOR_US])
      .executeTakeFirst();
    const decision = decidePlan(
      user.plan,
      keep,
      { deleted, disputed: Boolean(disputed) },
      { configuredPrices: [prices.monthly, prices.annual], ...this.deps.rules },
      Math.floor(startedAt.getTime() / 1000),
    );
    const row = {
      plan: decision.plan,
      plan_reason: decision.reason,
      attention: decision.attention ? JSON.stringify(decision.attention) : null,
      stripe_customer_id: deleted ? null : customerId,
      stripe_subscription_id: keep?.id ?? null,
      subscription_status: keep?.status ?? null,
      price_id: keep?.priceId ?? null,
      current_period_end:
        keep?.currentPeriodEnd != null ? new Date(keep.currentPeriodEnd * 1000).toISOString() : null,
      cancel_at_period_end: keep?.cancelAtPeriodEnd ? 1 : 0,
    };
    const drift =
      user.plan !== row.plan ||
      user.subscription_status !== row.subscription_status ||
      user.stripe_subscription_id !== row.stripe_subscription_id;
    await db
      .updateTable('users')
      .set({ ...row, synced_at: startedAt.toISOString(), updated_at: this.deps.now().toISOString() })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('synced_at', 'is', null), eb('synced_at', '<=', startedAt.toISOString())]))
      .execute();
    if (deleted) {
      // Recorded: the operator sees it, and a later "Go Pro" creates the next customer (billing.ts).
      await db
        .insertInto('billing_actions')
        .values({
          id: `deleted_${customerId}`,
          user_id: user.id,
          action: 'customer_deleted',
          object_id: customerId,
          detail: JSON.stringify({ plan: user.plan }),
          at: this.deps.now().toISOString(),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      this.deps.logger.info({ userId: user.id, customerId }, 'Stripe customer deleted: back to Free');
    }
    return {
      userId: user.id,
      plan: decision.plan,
      status: keep?.status ?? null,
      reason: decision.reason,
      drift,
      cancelled,
    };
  }

  /** Stripe answers a deleted customer with `deleted: true` (and, once purged, 404). */
  private async customerDeleted(customerId: string): Promise<boolean> {
    try {
      const customer = await this.deps.stripe.customers.retrieve(customerId);
      return 'deleted' in customer && customer.deleted === true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return true;
      throw err;
    }
  }

  /**
   * The invoice's payment as Stripe links it in this API version (invoice → InvoicePayment →
   * PaymentIntent → latest charge): whether it waits for 3-D Secure, and how much was refunded.
   */
  private async withPayment(invoice: InvoiceFacts): Promise<InvoiceFacts> {
    if (invoice.status !== 'open' && invoice.amountPaid === 0) return invoice;
    const intent = await this.paymentIntentOf(invoice.id);
    if (!intent) return invoice;
    const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
    return {
      ...invoice,
      requiresAction: invoice.status === 'open' && intent.status === 'requires_action',
      amountRefunded: charge?.amount_refunded ?? 0,
    };
  }

  private async paymentIntentOf(invoiceId: string): Promise<Stripe.PaymentIntent | null> {
    const payments = await this.deps.stripe.invoicePayments.list({
      invoice: invoiceId,
      limit: 10,
      expand: ['data.payment.payment_intent.latest_charge'],
    });
    // The default payment is the one Stripe charged; later ones are manual attachments.
    for (const p of payments.data) {
      const intent = p.payment.payment_intent;
      if (intent && typeof intent === 'object') return intent;
    }
    return null;
  }

  /**
   * A second live subscription: cancelled at once and its first invoice refunded in full. The
   * idempotency keys make two servers doing this at once one action on Stripe; the record makes it
   * visible to the operator.
   */
  private async cancelSurplus(
    userId: string,
    extra: SubscriptionFacts,
    keptId: string | null,
  ): Promise<void> {
    const { stripe, db } = this.deps;
    await stripe.subscriptions.cancel(extra.id, {}, { idempotencyKey: `siberia-surplus-cancel-${extra.id}` });
    let refunded = 0;
    const invoice = extra.latestInvoice;
    if (invoice && invoice.amountPaid > 0) {
      const intent = await this.paymentIntentOf(invoice.id);
      if (intent) {
        const refund = await stripe.refunds.create(
          { payment_intent: intent.id, reason: 'duplicate', metadata: { subscription: extra.id } },
          { idempotencyKey: `siberia-surplus-refund-${invoice.id}` },
        );
        refunded = refund.amount;
      }
    }
    await db
      .insertInto('billing_actions')
      .values({
        id: `surplus_${extra.id}`,
        user_id: userId,
        action: 'cancel_surplus_subscription',
        object_id: extra.id,
        detail: JSON.stringify({ kept: keptId, invoice: invoice?.id ?? null, refunded }),
        at: this.deps.now().toISOString(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    this.deps.logger.warn(
      { userId, cancelled: extra.id, kept: keptId, refunded },
      'a second live subscription was cancelled and refunded',
    );
  }
}

/** What the rules need of a subscription whose latest invoice was expanded. */
export function subscriptionFacts(s: Stripe.Subscription): SubscriptionFacts {
  const item = s.items.data[0];
  const invoice = typeof s.latest_invoice === 'object' ? s.latest_invoice : null;
  return {
    id: s.id,
    status: s.status as SubscriptionStatus,
    priceId: item?.price.id ?? null,
    // This API version keeps the period on the subscription's items.
    currentPeriodEnd: item?.current_period_end ?? null,
    created: s.created,
    cancelAtPeriodEnd: s.cancel_at_period_end || s.cancel_at !== null,
    latestInvoice: invoice
      ? {
          id: invoice.id as string,
          status: invoice.status,
          nextPaymentAttempt: invoice.next_payment_attempt,
          firstAttemptAt: invoice.status_transitions.finalized_at ?? invoice.created,
          requiresAction: false,
          hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
          amountPaid: invoice.amount_paid,
          amountRefunded: 0,
        }
      : null,
  };
}
