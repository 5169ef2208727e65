import { randomUUID } from 'node:crypto';
import { type Kysely, PostgresAdapter, sql, type Transaction } from 'kysely';
import type { OfflineUse, OfflineUsageResponse } from '../../contracts/api';
import type { ErrorCode } from '../../contracts/errors';
import { type Plan, type Usage, type UsageKind, usageCounterKey } from '../../contracts/plan';
import { GRANT_TYP } from '../../contracts/tokens';
import type { Db } from '../db/connect';
import type { Database } from '../db/schema';
import { DomainError } from '../domain/errors';
import { buildUsage, decideGrant, usagePeriod, withOneMore } from '../domain/quota';
import { signJwt } from '../security/jwt';
import type { SigningKey } from '../security/signing-keys';

export const GRANT_SECONDS = 15 * 60;
type Quotas = { exportsPerMonth: number; mastersPerMonth: number };

/** This month's counts (UTC), derived from the usage events. */
export async function usedThisMonth(
  db: Kysely<Database>,
  userId: string,
  now: Date,
): Promise<Record<UsageKind, number>> {
  const { start, resetAt } = usagePeriod(now);
  const rows = await db
    .selectFrom('usage_events')
    .select(['kind', sql<number>`count(*)`.as('n')])
    .where('user_id', '=', userId)
    .where('occurred_at', '>=', start.toISOString())
    .where('occurred_at', '<', resetAt.toISOString())
    .groupBy('kind')
    .execute();
  const used = { export: 0, master: 0 };
  for (const row of rows) used[row.kind] = Number(row.n);
  return used;
}

type GrantRefusal = keyof typeof REFUSALS;
type GrantOutcome =
  | { refused: GrantRefusal; usage?: Usage }
  | { refused: null; plan: Plan; grantId: string; kind: UsageKind; issuedAt: Date; usage: Usage | null };

/** What a refused grant answers; a refusal for the plan or the quota also carries the usage. */
const REFUSALS = {
  signed_out: ['unauthorized', 'Please sign in again.'],
  key_reused: ['validation_error', 'This idempotency key was already used for another request.'],
  upgrade_required: ['upgrade_required', 'Exports and masters are for Pro subscribers.'],
  quota_exceeded: ['quota_exceeded', 'Monthly quota reached.'],
} as const satisfies Record<string, readonly [ErrorCode, string]>;

function refusal(reason: GrantRefusal, usage?: Usage): DomainError {
  const [code, message] = REFUSALS[reason];
  return new DomainError(code, message, usage && { usage });
}

/**
 * Usage grants: each idempotency key counts once (a retry gets the same grant back), and concurrent
 * requests never push usage past the limit: the user's row is locked for the count-and-insert
 * (PostgreSQL: FOR UPDATE; SQLite: one writer at a time).
 */
export class UsageService {
  constructor(private readonly deps: { db: Db; key: SigningKey; quotas: Quotas; now: () => Date }) {}

  /**
   * The user's row, locked until the transaction ends, or undefined for a user who is gone. Row locks
   * exist on PostgreSQL; SQLite already admits one writer at a time.
   */
  private async lockUser(trx: Transaction<Database>, userId: string) {
    const query = trx.selectFrom('users').select(['id', 'plan']).where('id', '=', userId);
    const postgres = this.deps.db.getExecutor().adapter instanceof PostgresAdapter;
    return (postgres ? query.forUpdate() : query).executeTakeFirst();
  }

  async usage(userId: string, plan: Plan): Promise<Usage> {
    const now = this.deps.now();
    return buildUsage(now, plan, await usedThisMonth(this.deps.db, userId, now), this.deps.quotas);
  }

  private async signGrant(
    grantId: string,
    userId: string,
    kind: UsageKind,
    deviceId: string,
    issuedAt: Date,
  ): Promise<string> {
    const iat = Math.floor(issuedAt.getTime() / 1000);
    // Deterministic signatures: the same claims give the same grant on a retry.
    return signJwt(this.deps.key, {
      typ: GRANT_TYP,
      sub: userId,
      jti: grantId,
      claims: { kind, device: deviceId },
      iat,
      exp: iat + GRANT_SECONDS,
    });
  }

  /**
   * Uses made offline, reported once the server answers again. Each id counts once (a re-sent report
   * is accepted again without a second count); a use beyond the allowance of the device's last token,
   * or outside that allowance's time, is refused with a reason.
   */
  async reportOffline(userId: string, uses: readonly OfflineUse[]): Promise<OfflineUsageResponse> {
    const accepted: string[] = [];
    const refused: OfflineUsageResponse['refused'] = [];
    const plan = await this.deps.db.transaction().execute(async (trx) => {
      const user = await this.lockUser(trx, userId);
      if (!user) return null;
      for (const use of [...uses].sort((a, b) => a.at.localeCompare(b.at))) {
        const known = await trx
          .selectFrom('usage_events')
          .select('id')
          .where('user_id', '=', userId)
          .where('idempotency_key', '=', use.id)
          .executeTakeFirst();
        if (known) {
          accepted.push(use.id);
          continue;
        }
        const device = await trx
          .selectFrom('devices')
          .selectAll()
          .where('user_id', '=', userId)
          .where('device_id', '=', use.deviceId)
          .executeTakeFirst();
        const allowance = device?.[`allowance_${usageCounterKey(use.kind)}` as const];
        if (!device?.allowance_issued_at || !device.allowance_until || !allowance) {
          refused.push({
            id: use.id,
            reason: user.plan === 'free' ? 'upgrade_required' : 'offline_allowance_exceeded',
          });
          continue;
        }
        if (
          use.at < device.allowance_issued_at ||
          use.at > device.allowance_until ||
          use.at > this.deps.now().toISOString()
        ) {
          refused.push({ id: use.id, reason: 'invalid' });
          continue;
        }
        const { n } = await trx
          .selectFrom('usage_events')
          .select(sql<number>`count(*)`.as('n'))
          .where('user_id', '=', userId)
          .where('device_id', '=', use.deviceId)
          .where('kind', '=', use.kind)
          .where('source', '=', 'offline')
          .where('occurred_at', '>=', device.allowance_issued_at)
          .executeTakeFirstOrThrow();
        if (Number(n) >= allowance) {
          refused.push({ id: use.id, reason: 'offline_allowance_exceeded' });
          continue;
        }
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
            created_at: this.deps.now().toISOString(),
          })
          .execute();
        accepted.push(use.id);
      }
      return user.plan;
    });
    if (!plan) throw refusal('signed_out');
    return { accepted, refused, usage: await this.usage(userId, plan) };
  }

  async grant(
    userId: string,
    kind: UsageKind,
    idempotencyKey: string,
    deviceId: string,
  ): Promise<{ grant: string; usage: Usage }> {
    const now = this.deps.now();
    // Refusals come out of the transaction as values: nothing is thrown while the row is locked.
    const outcome = await this.deps.db.transaction().execute(async (trx): Promise<GrantOutcome> => {
      const user = await this.lockUser(trx, userId);
      if (!user) return { refused: 'signed_out' };
      const existing = await trx
        .selectFrom('usage_events')
        .selectAll()
        .where('user_id', '=', userId)
        .where('idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      if (existing) {
        if (existing.kind !== kind || existing.device_id !== deviceId || !existing.grant_id)
          return { refused: 'key_reused' };
        return {
          refused: null,
          plan: user.plan,
          grantId: existing.grant_id,
          kind: existing.kind,
          issuedAt: new Date(existing.created_at),
          usage: null,
        };
      }
      const usage = buildUsage(now, user.plan, await usedThisMonth(trx, userId, now), this.deps.quotas);
      const decision = decideGrant(user.plan, kind, usage);
      if (!decision.ok) return { refused: decision.reason, usage };
      const grantId = `grant_${randomUUID().replaceAll('-', '')}`;
      await trx
        .insertInto('usage_events')
        .values({
          id: randomUUID(),
          user_id: userId,
          kind,
          idempotency_key: idempotencyKey,
          device_id: deviceId,
          source: 'online',
          grant_id: grantId,
          occurred_at: now.toISOString(),
          created_at: now.toISOString(),
        })
        .execute();
      // Counted under the lock, plus this use: no second count of the month.
      return {
        refused: null,
        plan: user.plan,
        grantId,
        kind,
        issuedAt: now,
        usage: withOneMore(usage, kind),
      };
    });
    if (outcome.refused) throw refusal(outcome.refused, outcome.usage);
    return {
      grant: await this.signGrant(outcome.grantId, userId, outcome.kind, deviceId, outcome.issuedAt),
      usage: outcome.usage ?? (await this.usage(userId, outcome.plan)),
    };
  }
}
