import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import Stripe from 'stripe';
import type { Db } from '../db/connect';
import { databaseFault } from '../db/health';
import { DomainError } from '../domain/errors';
import { WEBHOOK_EVENTS } from '../stripe/catalog';
import type { Billing } from './billing';
import type { CustomerSync } from './customer-sync';

/** Stripe's default: a signature older (or newer) than this is refused, against replays. */
export const SIGNATURE_TOLERANCE_SEC = 300;

const HANDLED = new Set<string>(WEBHOOK_EVENTS);

/** The customer an event is about: its object's `customer`, or the customer itself. */
function customerOf(event: Stripe.Event): string | null {
  const obj = event.data?.object as {
    object?: string;
    id?: string;
    customer?: string | { id: string } | null;
  };
  if (!obj || typeof obj !== 'object') return null;
  if (obj.object === 'customer' && typeof obj.id === 'string') return obj.id;
  if (!obj.customer) return null;
  const id = typeof obj.customer === 'string' ? obj.customer : obj.customer.id;
  return typeof id === 'string' ? id : null;
}

/**
 * Whether retrying could help: the database or Stripe being unreachable, down or refusing our key
 * is worth Stripe's retries; a malformed event or one naming what Stripe does not know is not.
 */
export function isTransient(err: unknown): boolean {
  if (databaseFault(err)) return true;
  return (
    err instanceof Stripe.errors.StripeError && !(err instanceof Stripe.errors.StripeInvalidRequestError)
  );
}

const typeOf = (event: unknown): string => {
  const type = (event as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type.slice(0, 200) : 'unknown';
};

/** The event's id, or one made from its bytes when it has none, so that it is recorded all the same. */
function eventIdOf(event: unknown, raw: Buffer): { id: string; given: boolean } {
  const id = (event as { id?: unknown } | null)?.id;
  const isObject = typeof event === 'object' && event !== null && !Array.isArray(event);
  if (isObject && typeof id === 'string' && /^evt_\w{1,250}$/.test(id)) return { id, given: true };
  return { id: `unidentified_${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`, given: false };
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
      /** Every secret the endpoint may sign with: more than one while its secret is rotated. */
      secrets: readonly string[];
      billing: Billing;
      sync: CustomerSync;
      logger: Logger;
      now: () => Date;
    },
  ) {}

  /**
   * The event, if one of the webhook secrets (several during a rotation of the endpoint's secret)
   * signed these very bytes within 300 s either way of now. The SDK only refuses old timestamps;
   * one signed in the future is refused here, with the SDK's clock.
   */
  verify(raw: Buffer, signature: string | undefined): Stripe.Event {
    if (!signature) throw new DomainError('invalid_signature', 'Missing Stripe-Signature header.');
    let why = 'invalid';
    for (const secret of this.deps.secrets) {
      let event: Stripe.Event;
      try {
        event = this.deps.stripe.webhooks.constructEvent(raw, signature, secret, SIGNATURE_TOLERANCE_SEC);
      } catch (err) {
        why = err instanceof Error ? (err.message.split('\n')[0] ?? why) : why;
        continue;
      }
      const signedAt = Number(/(?:^|,)t=(\d+)/.exec(signature)?.[1]);
      if (signedAt - Date.now() / 1000 > SIGNATURE_TOLERANCE_SEC)
        throw new DomainError(
          'invalid_signature',
          'Webhook signature verification failed: timestamp in the future.',
        );
      return event;
    }
    throw new DomainError('invalid_signature', `Webhook signature verification failed: ${why}`);
  }

  /**
   * Records a signed event and acts on it. What can never work (a malformed event, one without an
   * id, one naming an object Stripe does not know) is recorded as `unprocessable: …` and answered
   * 2xx, since Stripe would retry it for days; a transient failure is left unprocessed and thrown.
   */
  async receive(event: Stripe.Event, raw: Buffer): Promise<WebhookResult> {
    const { id, given } = eventIdOf(event, raw);
    if (!given) return this.record(id, typeOf(event), 'unprocessable: not an event with an id');
    return this.handle(event);
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
          type: typeOf(event),
          received_at: now(),
          processed_at: null,
          outcome: null,
          customer_id: customerOf(event),
          created: Number.isInteger(event.created) ? event.created : null,
        })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
    let outcome: string;
    try {
      outcome = await this.process(event);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!isTransient(err)) {
        outcome = `unprocessable: ${message.slice(0, 200)}`;
        this.deps.logger.warn(
          { eventId: event.id, type: event.type, reason: message },
          'webhook unprocessable',
        );
        return this.finish(event.id, outcome);
      }
      await db
        .updateTable('stripe_events')
        .set({ outcome: `failed: ${message.slice(0, 200)}` })
        .where('event_id', '=', event.id)
        .execute()
        .catch(() => undefined);
      throw err;
    }
    return this.finish(event.id, outcome);
  }

  private async finish(eventId: string, outcome: string): Promise<WebhookResult> {
    await this.deps.db
      .updateTable('stripe_events')
      .set({ processed_at: this.deps.now().toISOString(), outcome })
      .where('event_id', '=', eventId)
      .execute();
    return { duplicate: false, outcome };
  }

  /** Stores an event that is not to be acted on, with why. */
  private async record(eventId: string, type: string, outcome: string): Promise<WebhookResult> {
    const at = this.deps.now().toISOString();
    this.deps.logger.warn({ eventId, type, reason: outcome }, 'webhook unprocessable');
    await this.deps.db
      .insertInto('stripe_events')
      .values({
        event_id: eventId,
        type,
        received_at: at,
        processed_at: at,
        outcome,
        customer_id: null,
        created: null,
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
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
