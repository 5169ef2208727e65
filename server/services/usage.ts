import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type {
  OfflineUse,
  OfflineUsageResponse,
  UsageGrantResponse,
  UsageResponse,
} from '../../contracts/api';
import type { ErrorCode } from '../../contracts/errors';
import { type Plan, type Usage, type UsageKind, usageCounterKey } from '../../contracts/plan';
import type { Db } from '../db/connect';
import type { Database, UsageEventsTable, UsersTable } from '../db/schema';
import { DomainError } from '../domain/errors';
import {
  type Bucket,
  bucketOf,
  buildUsage,
  type Counts,
  decideGrant,
  type GrantRefusalReason,
  type Quotas,
  usagePeriod,
  withOneReserved,
} from '../domain/quota';
import { type GrantFacts, readGrant, signGrant } from '../security/grants';
import type { SigningKey } from '../security/signing-keys';
import { admitDevice, deviceLimitError } from './devices';
import { lockUser } from './users';

type Reader = Kysely<Database>;
type UsageRow = Selectable<UsageEventsTable>;

/**
 * Use and live reservations of each kind in one bucket: the calendar month that contains `at`, or
 * the whole trial. A reservation is live while its `expires_at` is after `now`; an expired one
 * holds nothing, so a forgotten reservation frees its unit by itself.
 */
export async function countUsage(
  db: Reader,
  userId: string,
  bucket: Bucket,
  at: Date,
  now: Date,
): Promise<Counts> {
  const { start, resetAt } = usagePeriod(at);
  const live = now.toISOString();
  const rows = await db
    .selectFrom('usage_events')
    .select([
      'kind',
      sql<number>`sum(case when state = 'committed' then 1 else 0 end)`.as('used'),
      sql<number>`sum(case when state = 'reserved' and expires_at > ${live} then 1 else 0 end)`.as(
        'reserved',
      ),
    ])
    .where('user_id', '=', userId)
    .where('bucket', '=', bucket)
    .$if(bucket === 'month', (q) =>
      q.where('occurred_at', '>=', start.toISOString()).where('occurred_at', '<', resetAt.toISOString()),
    )
    .groupBy('kind')
    .execute();
  const counts: Counts = { export: { used: 0, reserved: 0 }, master: { used: 0, reserved: 0 } };
  for (const row of rows) counts[row.kind] = { used: Number(row.used), reserved: Number(row.reserved) };
  return counts;
}

/** Offline uses a device reported since `since` (its allowance's start), by kind. */
export async function offlineUsesSince(
  db: Reader,
  userId: string,
  deviceId: string,
  since: string,
): Promise<Record<UsageKind, number>> {
  const rows = await db
    .selectFrom('usage_events')
    .select(['kind', sql<number>`count(*)`.as('n')])
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('source', '=', 'offline')
    .where('occurred_at', '>=', since)
    .groupBy('kind')
    .execute();
  const uses = { export: 0, master: 0 };
  for (const row of rows) uses[row.kind] = Number(row.n);
  return uses;
}

/** What a refused request answers; a refusal for the plan or the quota also carries the usage. */
const REFUSALS = {
  signed_out: ['unauthorized', 'Please sign in again.'],
  key_reused: ['validation_error', 'This idempotency key was already used for another request.'],
  upgrade_required: ['upgrade_required', 'Exports and masters are for Pro subscribers.'],
  trial_exhausted: [
    'trial_exhausted',
    'The free trial is used up: exports and masters are for Pro subscribers.',
  ],
  quota_exceeded: ['quota_exceeded', 'Monthly quota reached.'],
  invalid_grant: ['invalid_grant', 'This is not a grant this server gave you.'],
  grant_committed: ['grant_committed', 'This grant was already used: its work was delivered and counted.'],
  grant_released: ['grant_released', 'This grant was released; ask for a new one.'],
  grant_expired: [
    'grant_expired',
    'This reservation expired and its unit has been taken since; ask for a new grant.',
  ],
} as const satisfies Record<string, readonly [ErrorCode, string]>;
type Refusal = keyof typeof REFUSALS;

function refusal(reason: Refusal, usage?: Usage): DomainError {
  const [code, message] = REFUSALS[reason];
  return new DomainError(code, message, usage && { usage });
}

/** A transaction's outcome: refusals leave it as values, so nothing is thrown while the row is locked. */
type Outcome<T> =
  | { refused: Refusal; usage?: Usage }
  | { refused: 'device_limit'; error: DomainError }
  | { refused: null; value: T };
const refused = (reason: Refusal | GrantRefusalReason, usage?: Usage) =>
  ({ refused: reason, usage }) as const;
const ok = <T>(value: T) => ({ refused: null, value }) as const;
function settle<T>(outcome: Outcome<T>): T {
  if (outcome.refused === 'device_limit') throw outcome.error;
  if (outcome.refused) throw refusal(outcome.refused, outcome.usage);
  return outcome.value;
}

/**
 * Usage grants are reservations. A grant holds one unit for GRANT_TTL_SECONDS and counts against
 * the limit while it lives, so a refusal comes before any work; committing it makes it use (once,
 * however often it is sent), releasing it frees the unit, and one left alone expires. Every step
 * is taken under the user's row lock, so concurrent requests, on one server process or several,
 * never push use and reservations past the limit.
 */
export class UsageService {
  constructor(
    private readonly deps: {
      db: Db;
      /** The current key signs; every key listed verifies (rotation). */
      keys: readonly SigningKey[];
      quotas: Quotas;
      grantTtlSeconds: number;
      maxDevices: number;
      now: () => Date;
    },
  ) {}

  /** The usage the plan's next grant draws from, as of now. */
  usage(userId: string, plan: Plan, db: Reader = this.deps.db): Promise<Usage> {
    return this.usageOf(db, userId, plan, this.deps.now());
  }

  private async usageOf(db: Reader, userId: string, plan: Plan, now: Date): Promise<Usage> {
    const bucket = bucketOf(plan);
    return buildUsage(now, bucket, await countUsage(db, userId, bucket, now, now), this.deps.quotas);
  }

  private expiry(now: Date): string {
    return new Date(now.getTime() + this.deps.grantTtlSeconds * 1000).toISOString();
  }

  private async answer(facts: GrantFacts, usage: Usage): Promise<UsageGrantResponse> {
    const [key] = this.deps.keys;
    if (!key) throw new Error('no signing key');
    return { grant: await signGrant(key, facts, this.deps.grantTtlSeconds), usage };
  }

  private factsOf(row: UsageRow): GrantFacts {
    return {
      grantId: row.grant_id as string,
      userId: row.user_id,
      kind: row.kind,
      deviceId: row.device_id,
      expiresAt: new Date(row.expires_at as string),
    };
  }

  /**
   * Reserves one unit of `kind`, or refuses (402) with the reason and the usage. The same
   * idempotency key gives back the same reservation while it lives; an expired one is taken again
   * if there is still room.
   */
  async grant(
    userId: string,
    kind: UsageKind,
    idempotencyKey: string,
    deviceId: string,
  ): Promise<UsageGrantResponse> {
    const now = this.deps.now();
    const outcome = await this.deps.db
      .transaction()
      .execute(async (trx): Promise<Outcome<{ row: UsageRow; usage: Usage }>> => {
        const user = await lockUser(trx, userId);
        if (!user) return refused('signed_out');
        // Only a device that holds a place, or may take one, works for this account.
        const admission = await admitDevice(trx, userId, deviceId, this.deps.maxDevices, now);
        if (!admission.admitted)
          return admission.reason === 'device_limit'
            ? { refused: 'device_limit', error: deviceLimitError(admission.holders, this.deps.maxDevices) }
            : refused('signed_out');
        const existing = await trx
          .selectFrom('usage_events')
          .selectAll()
          .where('user_id', '=', userId)
          .where('idempotency_key', '=', idempotencyKey)
          .executeTakeFirst();
        if (existing) {
          if (existing.kind !== kind || existing.device_id !== deviceId || !existing.grant_id)
            return refused('key_reused');
          return this.holdAgain(trx, user, existing, now, false);
        }
        const bucket = bucketOf(user.plan);
        const usage = await this.usageOf(trx, userId, user.plan, now);
        const decision = decideGrant(bucket, kind, usage);
        if (!decision.ok) return refused(decision.reason, usage);
        const row: UsageRow = {
          id: randomUUID(),
          user_id: userId,
          kind,
          idempotency_key: idempotencyKey,
          device_id: deviceId,
          source: 'online',
          grant_id: `grant_${randomUUID().replaceAll('-', '')}`,
          occurred_at: now.toISOString(),
          created_at: now.toISOString(),
          state: 'reserved',
          expires_at: this.expiry(now),
          settled_at: null,
          bucket,
        };
        await trx.insertInto('usage_events').values(row).execute();
        // Counted under the lock, plus this reservation: no second count.
        return ok({ row, usage: withOneReserved(usage, kind) });
      });
    const { row, usage } = settle(outcome);
    return this.answer(this.factsOf(row), usage);
  }

  /**
   * A reservation asked for again (a retried request, or a renewal when `extend`): a live one
   * stands (renewed: for another time-to-live), an expired one is taken again only while its
   * bucket still has room, and one committed or released is over.
   */
  private async holdAgain(
    trx: Transaction<Database>,
    user: UsersTable,
    row: UsageRow,
    now: Date,
    extend: boolean,
  ): Promise<Outcome<{ row: UsageRow; usage: Usage }>> {
    if (row.state === 'committed') return refused('grant_committed');
    if (row.state === 'released') return refused('grant_released');
    const live = (row.expires_at ?? '') > now.toISOString();
    if (!live) {
      // Its bucket may no longer be the plan's (upgraded or downgraded since): a new grant decides.
      if (row.bucket !== bucketOf(user.plan)) return refused('grant_expired');
      const usage = await this.usageOf(trx, user.id, user.plan, now);
      const decision = decideGrant(row.bucket, row.kind, usage);
      if (!decision.ok) return refused(decision.reason, usage);
    }
    if (!live || extend) {
      // Taken again, it is reserved now (and counts in this month); renewed, it keeps its month.
      const again = live ? {} : { occurred_at: now.toISOString() };
      const held = { expires_at: this.expiry(now), ...again };
      await trx.updateTable('usage_events').set(held).where('id', '=', row.id).execute();
      Object.assign(row, held);
    }
    return ok({ row, usage: await this.usageOf(trx, user.id, user.plan, now) });
  }

  /** The reservation a grant names, under the user's lock, for one of the steps below. */
  private async withReservation<T>(
    userId: string,
    grant: string,
    step: (
      trx: Transaction<Database>,
      user: UsersTable,
      row: UsageRow,
      now: Date,
    ) => Promise<Outcome<T> | Outcome<never>>,
  ): Promise<T> {
    const claims = await readGrant(this.deps.keys, grant);
    if (!claims || claims.sub !== userId) throw refusal('invalid_grant');
    const now = this.deps.now();
    const outcome = await this.deps.db.transaction().execute(async (trx): Promise<Outcome<T>> => {
      const user = await lockUser(trx, userId);
      if (!user) return refused('signed_out');
      const row = await trx
        .selectFrom('usage_events')
        .selectAll()
        .where('user_id', '=', userId)
        .where('grant_id', '=', claims.jti)
        .executeTakeFirst();
      if (!row) return refused('invalid_grant');
      return (await step(trx, user, row, now)) as Outcome<T>;
    });
    return settle(outcome);
  }

  /**
   * Turns a reservation into use, once its work is delivered. Committing twice counts once. A
   * reservation that expired meanwhile is committed if its month (or trial) still has room for
   * it; otherwise 409 `grant_expired`, and nothing is counted.
   */
  commit(userId: string, grant: string): Promise<UsageResponse> {
    return this.withReservation(userId, grant, async (trx, user, row, now) => {
      if (row.state === 'released') return refused('grant_released');
      if (row.state === 'reserved') {
        if ((row.expires_at ?? '') <= now.toISOString()) {
          const at = new Date(row.occurred_at);
          const counts = await countUsage(trx, user.id, row.bucket, at, now);
          if (!decideGrant(row.bucket, row.kind, buildUsage(at, row.bucket, counts, this.deps.quotas)).ok)
            return refused('grant_expired');
        }
        await trx
          .updateTable('usage_events')
          .set({ state: 'committed', settled_at: now.toISOString() })
          .where('id', '=', row.id)
          .execute();
      }
      return ok({ usage: await this.usageOf(trx, user.id, user.plan, now) });
    });
  }

  /** Frees a reservation (work cancelled, discarded or failed). Twice is once; a committed grant: 409. */
  release(userId: string, grant: string): Promise<UsageResponse> {
    return this.withReservation(userId, grant, async (trx, user, row, now) => {
      if (row.state === 'committed') return refused('grant_committed');
      if (row.state === 'reserved')
        await trx
          .updateTable('usage_events')
          .set({ state: 'released', settled_at: now.toISOString() })
          .where('id', '=', row.id)
          .execute();
      return ok({ usage: await this.usageOf(trx, user.id, user.plan, now) });
    });
  }

  /** Extends a reservation whose work outlives it: the same grant id with a later expiry. */
  async renew(userId: string, grant: string): Promise<UsageGrantResponse> {
    const { row, usage } = await this.withReservation(userId, grant, (trx, user, row, now) =>
      this.holdAgain(trx, user, row, now, true),
    );
    return this.answer(this.factsOf(row), usage);
  }

  /**
   * Uses made offline, reported once the server answers again. Each id counts once (a re-sent report
   * is accepted again without a second count). A use is refused beyond the allowance of the device's
   * last token, outside that allowance's time, or when counting it would take its month past the
   * quota (reservations included): offline reports never push a month over.
   */
  async reportOffline(userId: string, uses: readonly OfflineUse[]): Promise<OfflineUsageResponse> {
    const accepted: string[] = [];
    const refusedUses: OfflineUsageResponse['refused'] = [];
    const now = this.deps.now();
    const plan = await this.deps.db.transaction().execute(async (trx) => {
      const user = await lockUser(trx, userId);
      if (!user) return null;
      for (const use of [...uses].sort((a, b) => a.at.localeCompare(b.at))) {
        const reason = await this.offlineRefusal(trx, user, use, now);
        if (reason === 'known') accepted.push(use.id);
        else if (reason) refusedUses.push({ id: use.id, reason });
        else {
          await trx
            .insertInto('usage_events')
            .values({
              id: randomUUID(),
              user_id: userId,
              kind: use.kind,
              idempotency_key: use.id,
              device_id: use.deviceId,
              source: 'offline',
              grant_id: null,
              occurred_at: use.at,
              created_at: now.toISOString(),
              state: 'committed',
              bucket: 'month',
            })
            .execute();
          accepted.push(use.id);
        }
      }
      return user.plan;
    });
    if (!plan) throw refusal('signed_out');
    return { accepted, refused: refusedUses, usage: await this.usage(userId, plan) };
  }

  /** Why an offline use is not counted: 'known' (counted already), a refusal, or null to count it. */
  private async offlineRefusal(
    trx: Transaction<Database>,
    user: UsersTable,
    use: OfflineUse,
    now: Date,
  ): Promise<'known' | OfflineUsageResponse['refused'][number]['reason'] | null> {
    const known = await trx
      .selectFrom('usage_events')
      .select('id')
      .where('user_id', '=', user.id)
      .where('idempotency_key', '=', use.id)
      .executeTakeFirst();
    if (known) return 'known';
    const device = await trx
      .selectFrom('devices')
      .selectAll()
      .where('user_id', '=', user.id)
      .where('device_id', '=', use.deviceId)
      .executeTakeFirst();
    const allowance = device?.[`allowance_${usageCounterKey(use.kind)}` as const];
    if (!device?.allowance_issued_at || !device.allowance_until || !allowance)
      return user.plan === 'free' ? 'upgrade_required' : 'offline_allowance_exceeded';
    if (use.at < device.allowance_issued_at || use.at > device.allowance_until || use.at > now.toISOString())
      return 'invalid';
    const reported = await offlineUsesSince(trx, user.id, use.deviceId, device.allowance_issued_at);
    if (reported[use.kind] >= allowance) return 'offline_allowance_exceeded';
    // Allowances only ever come from the month's quota (a trial is online only).
    const at = new Date(use.at);
    const month = buildUsage(at, 'month', await countUsage(trx, user.id, 'month', at, now), this.deps.quotas);
    if (!decideGrant('month', use.kind, month).ok) return 'quota_exceeded';
    return null;
  }
}
