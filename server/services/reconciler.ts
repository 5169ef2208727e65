import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Db } from '../db/connect';
import { WEBHOOK_EVENTS } from '../stripe/catalog';
import type { CustomerSync } from './customer-sync';

export type ReconcileReport = {
  /** Events read from Stripe's event list that no webhook had delivered (or delivered and failed). */
  caughtUp: number;
  synced: number;
  /** Customers whose row disagreed with Stripe: the webhooks had not told us. */
  drift: number;
  failed: number;
  full: boolean;
};

const DAY_MS = 86_400_000;
/** Stripe's event list keeps 30 days; a cursor older than that starts at what Stripe still has. */
const EVENTS_KEPT_S = 30 * 86_400;
/** Events may be stored out of creation order: the catch-up re-reads a short overlap. */
const CURSOR_OVERLAP_S = 120;

type Handle = (event: Stripe.Event) => Promise<unknown>;

/**
 * Webhooks are the fast path, not the only one. On start and every interval, the reconciler
 * re-reads from Stripe each customer whose row may be stale — first those with a failed webhook,
 * then those whose state is in motion (past_due, incomplete, trialing, ending, or whose period has
 * ended) — with the same sync webhooks use; it catches up from Stripe's event list since the last
 * event it processed; and once a day it pages through every customer. Across server processes a
 * lease in the database lets one of them do a run at a time.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReconcileReport | null> | null = null;
  private readonly holder = `rec_${randomUUID()}`;

  constructor(
    private readonly deps: {
      db: Db;
      stripe: Stripe;
      sync: CustomerSync;
      /** The webhook path's handler: a caught-up event has the very effect its webhook would have. */
      handleEvent: Handle;
      intervalS: number;
      logger: Logger;
      now: () => Date;
      onRun?: (report: ReconcileReport) => void;
    },
  ) {}

  /** Runs now, then every interval (0: never by itself). */
  start(): void {
    if (this.deps.intervalS <= 0) return;
    const tick = () => {
      void this.runOnce().catch((err: unknown) =>
        this.deps.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'reconciliation failed',
        ),
      );
    };
    tick();
    this.timer = setInterval(tick, this.deps.intervalS * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One run; null when another process holds the lease. Runs in this process never overlap. */
  runOnce(opts: { full?: boolean } = {}): Promise<ReconcileReport | null> {
    this.running ??= this.run(opts).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(opts: { full?: boolean }): Promise<ReconcileReport | null> {
    const now = this.deps.now();
    const leaseMs = Math.max(this.deps.intervalS * 1000, 10 * 60_000);
    if (!(await this.acquire('reconcile', now, leaseMs))) return null;
    try {
      const report: ReconcileReport = { caughtUp: 0, synced: 0, drift: 0, failed: 0, full: false };
      report.caughtUp = await this.catchUpEvents(now);
      const done = new Set<string>();
      for (const customer of await this.staleCustomers(now)) await this.syncOne(customer, done, report);
      const lastFull = await this.leaseValue('full_sweep');
      if (opts.full || !lastFull || now.getTime() - Date.parse(lastFull) >= DAY_MS) {
        report.full = true;
        let after = '';
        for (;;) {
          const page = await this.deps.db
            .selectFrom('users')
            .select(['id', 'stripe_customer_id'])
            .where('stripe_customer_id', 'is not', null)
            .where('id', '>', after)
            .orderBy('id')
            .limit(100)
            .execute();
          if (page.length === 0) break;
          for (const row of page) await this.syncOne(row.stripe_customer_id as string, done, report);
          after = (page[page.length - 1] as { id: string }).id;
        }
        await this.setLeaseValue('full_sweep', now.toISOString());
      }
      this.deps.logger.info({ ...report }, 'reconciliation');
      this.deps.onRun?.(report);
      return report;
    } finally {
      await this.release('reconcile');
    }
  }

  private async syncOne(customer: string, done: Set<string>, report: ReconcileReport): Promise<void> {
    if (done.has(customer)) return;
    done.add(customer);
    try {
      const outcome = await this.deps.sync.sync(customer);
      report.synced++;
      if (outcome?.drift) {
        report.drift++;
        this.deps.logger.warn(
          { customer, plan: outcome.plan, reason: outcome.reason },
          'reconciliation found drift',
        );
      }
      // The failed events of this customer are healed by this sync.
      await this.deps.db
        .updateTable('stripe_events')
        .set({ processed_at: this.deps.now().toISOString(), outcome: 'reconciled' })
        .where('customer_id', '=', customer)
        .where('processed_at', 'is', null)
        .execute();
    } catch (err) {
      report.failed++;
      this.deps.logger.warn(
        { customer, err: err instanceof Error ? err.message : String(err) },
        'reconciliation could not sync a customer',
      );
    }
  }

  /** Failed webhooks' customers first, then rows whose subscription is in motion. */
  private async staleCustomers(now: Date): Promise<string[]> {
    const failed = await this.deps.db
      .selectFrom('stripe_events')
      .select('customer_id')
      .distinct()
      .where('processed_at', 'is', null)
      .where('customer_id', 'is not', null)
      .execute();
    const moving = await this.deps.db
      .selectFrom('users')
      .select('stripe_customer_id')
      .where('stripe_customer_id', 'is not', null)
      .where((eb) =>
        eb.or([
          eb('subscription_status', 'in', ['past_due', 'incomplete', 'trialing', 'unpaid']),
          eb('cancel_at_period_end', '=', 1),
          eb('current_period_end', '<=', now.toISOString()),
          eb('synced_at', 'is', null),
        ]),
      )
      .execute();
    return [
      ...failed.map((r) => r.customer_id as string),
      ...moving.map((r) => r.stripe_customer_id as string),
    ];
  }

  /** Stripe's event list since the newest event this server has seen: what no webhook brought. */
  private async catchUpEvents(now: Date): Promise<number> {
    const newest = await this.deps.db
      .selectFrom('stripe_events')
      .select((eb) => eb.fn.max('created').as('created'))
      .executeTakeFirst();
    const nowS = Math.floor(now.getTime() / 1000);
    // A server that never heard from Stripe reads all Stripe still keeps.
    const since = Number(newest?.created ?? 0) || nowS - EVENTS_KEPT_S;
    const gte = Math.max(since - CURSOR_OVERLAP_S, nowS - EVENTS_KEPT_S);
    let handled = 0;
    for await (const event of this.deps.stripe.events.list({
      created: { gte },
      types: [...WEBHOOK_EVENTS],
      limit: 100,
    })) {
      const seen = await this.deps.db
        .selectFrom('stripe_events')
        .select('processed_at')
        .where('event_id', '=', event.id)
        .executeTakeFirst();
      if (seen?.processed_at) continue;
      await this.deps.handleEvent(event);
      handled++;
    }
    return handled;
  }

  private async acquire(name: string, now: Date, ms: number): Promise<boolean> {
    const { db } = this.deps;
    const expires = new Date(now.getTime() + ms).toISOString();
    await db
      .insertInto('leases')
      .values({ name, holder: '', expires_at: new Date(0).toISOString(), value: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const taken = await db
      .updateTable('leases')
      .set({ holder: this.holder, expires_at: expires })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('expires_at', '<', now.toISOString()), eb('holder', '=', this.holder)]))
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) === 1;
  }

  private async release(name: string): Promise<void> {
    await this.deps.db
      .updateTable('leases')
      .set({ expires_at: new Date(0).toISOString() })
      .where('name', '=', name)
      .where('holder', '=', this.holder)
      .execute();
  }

  private async leaseValue(name: string): Promise<string | null> {
    const row = await this.deps.db
      .selectFrom('leases')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.value ?? null;
  }

  private async setLeaseValue(name: string, value: string): Promise<void> {
    await this.deps.db
      .insertInto('leases')
      .values({ name, holder: '', expires_at: new Date(0).toISOString(), value })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
      .execute();
  }
}
