import type { Transaction } from 'kysely';
import type { BillingMeResponse } from '../../contracts/api';
import {
  type BillingAttention,
  PLAN_FEATURES,
  type Plan,
  type SubscriptionStatus,
  type Usage,
  type UsageKind,
  usageCounterKey,
} from '../../contracts/plan';
import { ENTITLEMENT_TYP, type EntitlementClaims } from '../../contracts/tokens';
import type { Db } from '../db/connect';
import type { Database, DevicesTable } from '../db/schema';
import { DomainError } from '../domain/errors';
import type { Attention } from '../domain/plan-rule';
import { offlineShare, outstanding } from '../domain/quota';
import { signJwt } from '../security/jwt';
import type { SigningKey } from '../security/signing-keys';
import { admitDevice, deviceLimitError } from './devices';
import { offlineUsesSince, type UsageService } from './usage';
import { lockUser, requireUser } from './users';

const DAY = 86400;

/** The sync stores the plan rule's Attention (times in Unix seconds); the API speaks ISO times. */
function attentionOf(stored: string | null | undefined): BillingAttention | null {
  if (!stored) return null;
  const a = JSON.parse(stored) as Attention;
  return a.kind === 'payment_failed'
    ? { kind: 'payment_failed', until: a.until === null ? null : new Date(a.until * 1000).toISOString() }
    : { kind: 'action_required', url: a.url };
}

/** Signs the entitlement token the desktop app verifies, offline too, before it writes a file. */
export class Entitlements {
  constructor(
    private readonly deps: {
      db: Db;
      key: SigningKey;
      usage: UsageService;
      offlineGraceDays: number;
      maxDevices: number;
      /** The billing interval of a Pro price id, or null for another price. */
      intervalOf: (priceId: string | null) => 'month' | 'year' | null;
      now: () => Date;
    },
  ) {}

  private user(userId: string) {
    return requireUser(this.deps.db, userId);
  }

  /**
   * The entitlement token of one device, if it may hold one (403 `device_limit` past
   * MAX_DEVICES_PER_USER). Its offline allowance is this device's share of what the month has left,
   * decided under the user's lock with every other device's outstanding allowance taken out.
   */
  async token(userId: string, deviceId: string, deviceName?: string): Promise<string> {
    const now = this.deps.now();
    const iat = Math.floor(now.getTime() / 1000);
    const outcome = await this.deps.db.transaction().execute(async (trx) => {
      const row = await lockUser(trx, userId);
      // Refusals leave the transaction as values: nothing is thrown while the row is locked.
      if (!row) return { error: new DomainError('unauthorized', 'Please sign in again.') };
      const admission = await admitDevice(trx, userId, deviceId, this.deps.maxDevices, now);
      if (!admission.admitted)
        return {
          error:
            admission.reason === 'device_limit'
              ? deviceLimitError(admission.holders, this.deps.maxDevices)
              : new DomainError(
                  'unauthorized',
                  'This device was signed out from the account. Sign in again.',
                ),
        };
      const usage = await this.deps.usage.usage(userId, row.plan, trx);
      const grace = this.deps.offlineGraceDays * DAY;
      const periodEnd = row.current_period_end
        ? Math.floor(new Date(row.current_period_end).getTime() / 1000)
        : null;
      // At most the grace ahead, and never past the paid period plus that grace (a minute at least).
      const exp = Math.max(
        iat + 60,
        Math.min(iat + grace, periodEnd !== null && row.plan === 'pro' ? periodEnd + grace : iat + grace),
      );
      const share = await this.offlineShares(trx, userId, row.plan, usage, admission.others);
      const claims: Omit<EntitlementClaims, 'iss' | 'aud' | 'sub' | 'iat' | 'exp'> = {
        plan: row.plan,
        features: [...PLAN_FEATURES[row.plan]],
        device: deviceId,
        periodEnd,
        quota: {
          period: usage.period,
          exports: usage.exports,
          masters: usage.masters,
          resetAt: Math.floor(new Date(usage.resetAt).getTime() / 1000),
        },
        offline: { until: exp, ...share },
      };
      await this.recordAllowance(trx, userId, deviceId, deviceName, iat, claims.offline);
      return { error: null, claims, exp };
    });
    if (outcome.error) throw outcome.error;
    return signJwt(this.deps.key, {
      typ: ENTITLEMENT_TYP,
      sub: userId,
      claims: outcome.claims,
      iat,
      exp: outcome.exp,
    });
  }

  /**
   * What this device may do offline, by kind: nothing without the feature (a trial is online only);
   * otherwise its share of the month (domain/quota's offlineShare) beside the other holders'
   * outstanding allowances.
   */
  private async offlineShares(
    trx: Transaction<Database>,
    userId: string,
    plan: Plan,
    usage: Usage,
    others: DevicesTable[],
  ): Promise<Record<'exports' | 'masters', number>> {
    const outstandingOf = { exports: 0, masters: 0 };
    for (const other of others) {
      const reported = await offlineUsesSince(
        trx,
        userId,
        other.device_id,
        other.allowance_issued_at as string,
      );
      outstandingOf.exports += outstanding(other.allowance_exports, reported.export);
      outstandingOf.masters += outstanding(other.allowance_masters, reported.master);
    }
    const shareOf = (kind: UsageKind) => {
      const key = usageCounterKey(kind);
      if (!PLAN_FEATURES[plan].includes(kind)) return 0;
      return offlineShare({
        limit: usage[key].limit,
        used: usage[key].used,
        reserved: usage[key].reserved,
        othersOutstanding: outstandingOf[key],
        placesLeft: this.deps.maxDevices - others.length,
      });
    };
    return { exports: shareOf('export'), masters: shareOf('master') };
  }

  /** Remembers what this device may do offline until its next token (and that it holds a place). */
  private async recordAllowance(
    trx: Transaction<Database>,
    userId: string,
    deviceId: string,
    name: string | undefined,
    iat: number,
    offline: EntitlementClaims['offline'],
  ): Promise<void> {
    const now = new Date(iat * 1000).toISOString();
    const allowance = {
      last_seen_at: now,
      allowance_issued_at: now,
      allowance_until: new Date(offline.until * 1000).toISOString(),
      allowance_exports: offline.exports,
      allowance_masters: offline.masters,
      ...(name ? { name } : {}),
    };
    await trx
      .insertInto('devices')
      .values({ user_id: userId, device_id: deviceId, first_seen_at: now, ...allowance })
      .onConflict((oc) => oc.columns(['user_id', 'device_id']).doUpdateSet(allowance))
      .execute();
  }

  async billingMe(userId: string): Promise<BillingMeResponse> {
    const row = await this.user(userId);
    const usage = await this.deps.usage.usage(userId, row.plan);
    const interval = this.deps.intervalOf(row.price_id);
    return {
      plan: row.plan,
      status: (row.subscription_status as SubscriptionStatus | null) ?? null,
      interval: row.price_id ? interval : null,
      currentPeriodEnd: row.current_period_end,
      cancelAtPeriodEnd: row.cancel_at_period_end === 1,
      exportsUsed: usage.exports.used,
      exportsLimit: usage.exports.limit,
      mastersUsed: usage.masters.used,
      mastersLimit: usage.masters.limit,
      exportsReserved: usage.exports.reserved,
      mastersReserved: usage.masters.reserved,
      quotaResetAt: usage.resetAt,
      attention: attentionOf(row.attention),
    };
  }
}
