import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Db } from '../db/connect';
import { DomainError } from '../domain/errors';
import { WEBHOOK_EVENTS } from '../stripe/catalog';
import type { Billing } from './billing';
import type { CustomerSync } from './customer-sync';

/** Stripe's default: a signature older (or newer) than this is refused, against replays. */
export const SIGNATURE_TOLERANCE_SEC = 300;

const HANDLED = new Set<string>(WEBHOOK_EVENTS);

/** The customer an event is about: its object's `customer`, or the customer itself. */
function customerOf(event: Stripe.Event): string | null {
  const obj = event.data.object as {
    object?: string;
    id?: string;
    customer?: string | { id: string } | null;
  };
  if (obj.object === 'customer' && obj.id) return obj.id;
  if (!obj.customer) return null;
  return typeof obj.customer === 'string' ? obj.customer : obj.customer.id;
}

export type WebhookResult = { duplicate: boolean; outcome: string };

/**
 * Verifies a webhook, records its id before acting, and syncs the customer it names. The outcome
 * is stored before the 2xx; a failure leaves the event unprocessed and answers 500 so Stripe retries.
 */
export class StripeWebhooks {
  constructor(
    private readonly deps: {
      db: Db;
      stripe: Stripe;
      secret: string;
      billing: Billing;
      sync: CustomerSync;
      logger: Logger;
      now: () => Date;
    },
  ) {}

  verify(raw: Buffer, signature: string | undefined): Stripe.Event {
    if (!signature) throw new DomainError('invalid_signature', 'Missing Stripe-Signature header.');
    try {
      return this.deps.stripe.webhooks.constructEvent(
        raw,
        signature,
        this.deps.secret,
        SIGNATURE_TOLERANCE_SEC,
      );
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0] : 'invalid';
      throw new DomainError('invalid_signature', `Webhook signature verification failed: ${why}`);
    }
  }

  async handle(event: Stripe.Event): Promise<WebhookResult> {
    const { db } = this.deps;
    const now = () => this.deps.now().toISOString();
    const seen = await db
      .selectFrom('stripe_events')
      .select(['processed_at', 'outcome'])
      .where('event_id', '=', event.id)
      .executeTakeFirst();
    if (seen?.processed_at) return { duplicate: true, outcome: seen.outcome ?? 'processed' };
    if (!seen) {
      await db
        .insertInto('stripe_events')
        .values({
          event_id: event.id,
          type: event.type,
          received_at: now(),
          processed_at: null,
          outcome: null,
          customer_id: customerOf(event),
          created: event.created,
        })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
    let outcome: string;
    try {
      outcome = await this.process(event);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await db
        .updateTable('stripe_events')
        .set({ outcome: `failed: ${message.slice(0, 200)}` })
        .where('event_id', '=', event.id)
        .execute()
        .catch(() => undefined);
      throw err;
    }
    await db
      .updateTable('stripe_events')
      .set({ processed_at: now(), outcome })
      .where('event_id', '=', event.id)
      .execute();
    return { duplicate: false, outcome };
  }

  private async process(event: Stripe.Event): Promise<string> {
    if (!HANDLED.has(event.type)) return 'ignored';
    let customer = customerOf(event);
    const notes: string[] = [];
    switch (event.type) {
      case 'checkout.session.completed': {
        const expired = await this.deps.billing.sessionCompleted(event.data.object);
        if (expired.length) notes.push(`expired ${expired.length} other session(s)`);
        break;
      }
      case 'checkout.session.expired':
        await this.deps.billing.sessionExpired(event.data.object.id);
        return 'session expired';
      case 'charge.dispute.created':
      case 'charge.dispute.updated':
      case 'charge.dispute.closed':
        customer = await this.recordDispute(event.data.object);
        notes.push(`dispute ${event.data.object.status}`);
        break;
      default:
        break;
    }
    if (!customer) return 'no_customer';
    const synced = await this.deps.sync.sync(customer);
    if (!synced) return 'unknown_customer';
    if (synced.cancelled.length) notes.push(`cancelled surplus ${synced.cancelled.join(', ')}`);
    return [`synced: ${synced.plan} (${synced.reason})`, ...notes].join('; ');
  }

  /**
   * A dispute names a charge, not a customer: the charge says whose it is. Its status is kept, so
   * Pro stays suspended until it is won (domain/plan-rule), and the operator sees it.
   */
  private async recordDispute(dispute: Stripe.Dispute): Promise<string | null> {
    const chargeId = typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id;
    const charge = await this.deps.stripe.charges.retrieve(chargeId);
    const customer = typeof charge.customer === 'string' ? charge.customer : (charge.customer?.id ?? null);
    if (!customer) return null;
    const user = await this.deps.db
      .selectFrom('users')
      .select('id')
      .where('stripe_customer_id', '=', customer)
      .executeTakeFirst();
    if (!user) return customer;
    const at = this.deps.now().toISOString();
    await this.deps.db
      .insertInto('disputes')
      .values({
        id: dispute.id,
        user_id: user.id,
        charge_id: chargeId,
        status: dispute.status,
        amount: dispute.amount,
        opened_at: new Date(dispute.created * 1000).toISOString(),
        updated_at: at,
      })
      .onConflict((oc) => oc.column('id').doUpdateSet({ status: dispute.status, updated_at: at }))
      .execute();
    this.deps.logger.warn({ userId: user.id, dispute: dispute.id, status: dispute.status }, 'dispute');
    return customer;
  }
}
