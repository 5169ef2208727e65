import type { BillingMeResponse } from '../../contracts/api';
import { type BillingAttention, PLAN_FEATURES, type SubscriptionStatus } from '../../contracts/plan';
import { ENTITLEMENT_TYP, type EntitlementClaims } from '../../contracts/tokens';
import type { Db } from '../db/connect';
import type { Attention } from '../domain/plan-rule';
import { signJwt } from '../security/jwt';
import type { SigningKey } from '../security/signing-keys';
import type { UsageService } from './usage';
import { requireUser } from './users';

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
      /** The billing interval of a Pro price id, or null for another price. */
      intervalOf: (priceId: string | null) => 'month' | 'year' | null;
      now: () => Date;
    },
  ) {}

  private user(userId: string) {
    return requireUser(this.deps.db, userId);
  }

  async token(userId: string, deviceId: string): Promise<string> {
    const row = await this.user(userId);
    const usage = await this.deps.usage.usage(userId, row.plan);
    const iat = Math.floor(this.deps.now().getTime() / 1000);
    const grace = this.deps.offlineGraceDays * DAY;
    const periodEnd = row.current_period_end
      ? Math.floor(new Date(row.current_period_end).getTime() / 1000)
      : null;
    // At most the grace ahead, and never past the paid period plus that grace (a minute at least).
    const exp = Math.max(
      iat + 60,
      Math.min(iat + grace, periodEnd !== null && row.plan === 'pro' ? periodEnd + grace : iat + grace),
    );
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
      offline: {
        until: exp,
        exports: Math.max(0, usage.exports.limit - usage.exports.used),
        masters: Math.max(0, usage.masters.limit - usage.masters.used),
      },
    };
    await this.recordAllowance(userId, deviceId, iat, claims.offline);
    return signJwt(this.deps.key, { typ: ENTITLEMENT_TYP, sub: userId, claims, iat, exp });
  }

  /** Remembers what this device may do offline until its next token. */
  private async recordAllowance(
    userId: string,
    deviceId: string,
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
    };
    await this.deps.db
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
      quotaResetAt: usage.resetAt,
      attention: attentionOf(row.attention),
    };
  }
}
