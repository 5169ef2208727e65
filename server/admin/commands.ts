import { closeSync, existsSync, openSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import type Stripe from 'stripe';
import type { BillingStack } from '../billing-stack';
import type { ServerConfig } from '../config';
import type { Db } from '../db/connect';
import type { UsersTable } from '../db/schema';
import { Keyring, rotateKey } from '../security/keyring';
import { Complimentary } from '../services/complimentary';
import { countUsage } from '../services/usage';

/** What an operator asked that cannot be done: said plainly, exit code 1. */
export class AdminError extends Error {}

export type AdminContext = {
  db: Db;
  config: ServerConfig;
  stack: BillingStack;
  now: () => Date;
};

async function userByEmail(ctx: AdminContext, email: string): Promise<UsersTable> {
  const row = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  if (!row) throw new AdminError(`No account with the email ${email}.`);
  return row;
}

function requireStripe<K extends keyof BillingStack>(
  ctx: AdminContext,
  part: K,
): NonNullable<BillingStack[K]> {
  const value = ctx.stack[part];
  if (!value)
    throw new AdminError(
      'Stripe is not configured here: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET as for the server.',
    );
  return value as NonNullable<BillingStack[K]>;
}

/** `user <email>`: everything an operator looks at when a musician writes in. */
export async function showUser(ctx: AdminContext, email: string) {
  const u = await userByEmail(ctx, email);
  const { db } = ctx;
  const [devices, webhooks, billingActions, disputes, sessions, used] = await Promise.all([
    db
      .selectFrom('devices')
      .select(['device_id', 'first_seen_at', 'last_seen_at', 'allowance_until'])
      .where('user_id', '=', u.id)
      .orderBy('last_seen_at', 'desc')
      .execute(),
    u.stripe_customer_id
      ? db
          .selectFrom('stripe_events')
          .select(['event_id', 'type', 'received_at', 'processed_at', 'outcome'])
          .where('customer_id', '=', u.stripe_customer_id)
          .orderBy('received_at', 'desc')
          .limit(10)
          .execute()
      : [],
    db.selectFrom('billing_actions').selectAll().where('user_id', '=', u.id).orderBy('at', 'desc').execute(),
    db.selectFrom('disputes').selectAll().where('user_id', '=', u.id).orderBy('opened_at', 'desc').execute(),
    db
      .selectFrom('refresh_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', u.id)
      .where('revoked_at', 'is', null)
      .where('rotated_at', 'is', null)
      .where('expires_at', '>', ctx.now().toISOString())
      .executeTakeFirst(),
    countUsage(db, u.id, 'month', ctx.now(), ctx.now()),
  ]);
  return {
    id: u.id,
    email: u.email,
    plan: u.plan,
    planReason: u.plan_reason ?? null,
    complimentaryUntil: u.comp_pro_until ?? null,
    createdAt: u.created_at,
    subscription: {
      customer: u.stripe_customer_id,
      id: u.stripe_subscription_id,
      status: u.subscription_status,
      price: u.price_id,
      currentPeriodEnd: u.current_period_end,
      cancelAtPeriodEnd: u.cancel_at_period_end === 1,
      attention: u.attention ? (JSON.parse(u.attention) as unknown) : null,
      syncedAt: u.synced_at ?? null,
    },
    // Committed use and live reservations, this calendar month (UTC).
    usageThisMonth: { exports: used.export, masters: used.master },
    signedInSessions: Number(sessions?.n ?? 0),
    devices,
    webhooks,
    billingActions,
    disputes,
  };
}

/** `set-plan <email> studio|free`: studio is the operator's own plan; free hands it back to Stripe's word. */
export async function setPlan(ctx: AdminContext, email: string, plan: string) {
  if (plan !== 'studio' && plan !== 'free')
    throw new AdminError(`set-plan takes studio or free, not "${plan}".`);
  const u = await userByEmail(ctx, email);
  const now = ctx.now().toISOString();
  await ctx.db
    .updateTable('users')
    .set(
      plan === 'studio'
        ? { plan: 'studio', plan_reason: 'operator', updated_at: now }
        : { plan: 'free', plan_reason: 'no_subscription', comp_pro_until: null, updated_at: now },
    )
    .where('id', '=', u.id)
    .execute();
  // Free from studio: a paying musician is Pro again by Stripe's word.
  if (plan === 'free' && u.stripe_customer_id && ctx.stack.sync)
    await ctx.stack.sync.sync(u.stripe_customer_id);
  return showUser(ctx, email);
}

/** `comp <email> <YYYY-MM-DD|none>`: complimentary Pro until the end of that day (UTC), or no longer. */
export async function complimentary(ctx: AdminContext, email: string, until: string) {
  let end: Date | null = null;
  if (until !== 'none') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(until) || Number.isNaN(Date.parse(`${until}T00:00:00Z`)))
      throw new AdminError(`comp takes a date as YYYY-MM-DD (or none), not "${until}".`);
    end = new Date(Date.parse(`${until}T00:00:00Z`) + 86_400_000);
    if (end <= ctx.now()) throw new AdminError(`${until} has already passed.`);
  }
  const u = await userByEmail(ctx, email);
  await new Complimentary({ db: ctx.db, sync: ctx.stack.sync, now: ctx.now }).give(u.id, end);
  return showUser(ctx, email);
}

/** `sync <email>`: reads the musician's subscriptions from Stripe now. */
export async function syncUser(ctx: AdminContext, email: string) {
  const sync = requireStripe(ctx, 'sync');
  const u = await userByEmail(ctx, email);
  if (!u.stripe_customer_id) throw new AdminError(`${email} has no Stripe customer: nothing to sync.`);
  const outcome = await sync.sync(u.stripe_customer_id);
  return { email: u.email, ...outcome };
}

/** `reconcile`: one full reconciliation with Stripe (every customer). */
export async function reconcileAll(ctx: AdminContext) {
  const report = await requireStripe(ctx, 'reconciler').runOnce({ full: true });
  if (!report)
    throw new AdminError('Another server process is reconciling right now; try again in a moment.');
  return report;
}

/** `webhooks`: the failed ones, newest first. */
export async function failedWebhooks(ctx: AdminContext) {
  return (
    ctx.db
      .selectFrom('stripe_events')
      .select(['event_id', 'type', 'customer_id', 'received_at', 'processed_at', 'outcome'])
      // Never processed, or recorded as one that could not be handled.
      .where((eb) => eb.or([eb('processed_at', 'is', null), eb('outcome', 'like', 'unprocessable%')]))
      .orderBy('received_at', 'desc')
      .limit(200)
      .execute()
  );
}

/** `replay <event_id|--all-failed>`: fetches the event from Stripe again and handles it as a webhook. */
export async function replayWebhooks(ctx: AdminContext, which: string) {
  const webhooks = requireStripe(ctx, 'webhooks');
  const stripe = requireStripe(ctx, 'stripe');
  const ids = which === '--all-failed' ? (await failedWebhooks(ctx)).map((e) => e.event_id) : [which.trim()];
  const results: Array<{ eventId: string; outcome: string }> = [];
  for (const id of ids) {
    if (!id.startsWith('evt_'))
      throw new AdminError(
        `${id} is not a Stripe event id (it came without one): it cannot be fetched again.`,
      );
    let event: Stripe.Event;
    try {
      event = await stripe.events.retrieve(id);
    } catch (err) {
      throw new AdminError(`Stripe has no event ${id}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Handled anew: its earlier outcome is replaced by this one.
    await ctx.db
      .updateTable('stripe_events')
      .set({ processed_at: null })
      .where('event_id', '=', id)
      .execute();
    const { outcome } = await webhooks.handle(event);
    results.push({ eventId: id, outcome });
  }
  return results;
}

/** `sign-out <email>`: every device must sign in again (access tokens end within 15 minutes). */
export async function signOutEverywhere(ctx: AdminContext, email: string) {
  const u = await userByEmail(ctx, email);
  const revoked = await ctx.db
    .updateTable('refresh_tokens')
    .set({ revoked_at: ctx.now().toISOString() })
    .where('user_id', '=', u.id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return { email: u.email, sessionsRevoked: Number(revoked.numUpdatedRows) };
}

/** `rotate-key`: a new entitlement signing key, published now, signing in 10 minutes. */
export async function rotateSigningKey(ctx: AdminContext) {
  // The key in use so far must be in the database before its successor (a server that never ran).
  await new Keyring(ctx.db, { now: ctx.now, tokenLifetimeMs: 0 }).open({
    configured: ctx.config.entitlementPrivateKey,
    dataDir: ctx.config.dataDir,
  });
  const { kid, activeFrom } = await rotateKey(ctx.db, ctx.now());
  return { kid, publishedNow: true, signsFrom: activeFrom.toISOString() };
}

/** `backup <file>`: a consistent copy of the SQLite database taken while the server runs. */
export async function backupSqlite(ctx: AdminContext, target: string) {
  if (ctx.config.database.kind !== 'sqlite')
    throw new AdminError('backup copies a SQLite database; for PostgreSQL use pg_dump.');
  if (existsSync(target)) throw new AdminError(`${target} exists already: name a new file.`);
  // The copy holds what the database holds (password hashes, signing keys): owner-only, like it.
  closeSync(openSync(target, 'wx', 0o600));
  const source = new SQLite(ctx.config.database.file, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await source.backup(target);
    return { file: target, pages: totalPages };
  } finally {
    source.close();
  }
}
