import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Db } from '../db/connect';
import { DomainError } from '../domain/errors';
import { WEBHOOK_EVENTS } from '../stripe/catalog';
import type { Billing } from './billing';

/** Stripe's default: a signature older (or newer) than this is refused, against replays. */
export const SIGNATURE_TOLERANCE_SEC = 300;

const HANDLED = new Set<string>(WEBHOOK_EVENTS);

function customerOf(event: Stripe.Event): string | null {
  const obj = event.data.object as { customer?: string | { id: string } | null };
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
    const customer = customerOf(event);
    if (!customer) return 'no_customer';
    const synced = await this.deps.billing.syncCustomer(customer);
    return synced ? `synced: ${synced.plan} (${synced.status ?? 'no subscription'})` : 'unknown_customer';
  }
}
