import { type Plan, type Usage, type UsageKind, usageCounterKey } from '../../contracts/plan';

/** Pro's monthly quotas, and the Free plan's lifetime trial (0: none). */
export type Quotas = {
  exportsPerMonth: number;
  mastersPerMonth: number;
  trialExports: number;
  trialMasters: number;
};

/** What a use counts against: Pro's calendar month (UTC), or the Free plan's lifetime trial. */
export type Bucket = 'month' | 'trial';

/** Where a plan's grants draw from: Free from its trial, Pro and Studio from the month. */
export function bucketOf(plan: Plan): Bucket {
  return plan === 'free' ? 'trial' : 'month';
}

/** The usage period: the calendar month in UTC that contains `now`. */
export function usagePeriod(now: Date): { period: string; start: Date; resetAt: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return {
    period: `${y}-${String(m + 1).padStart(2, '0')}`,
    start: new Date(Date.UTC(y, m, 1)),
    resetAt: new Date(Date.UTC(y, m + 1, 1)),
  };
}

/** The limits of a bucket: the configured monthly quotas, or the trial (none unless configured). */
export function limitsOf(bucket: Bucket, quotas: Quotas): Record<UsageKind, number> {
  return bucket === 'trial'
    ? { export: quotas.trialExports, master: quotas.trialMasters }
    : { export: quotas.exportsPerMonth, master: quotas.mastersPerMonth };
}

/** Committed use and live reservations of each kind in one bucket. */
export type Counts = Record<UsageKind, { used: number; reserved: number }>;

export function buildUsage(now: Date, bucket: Bucket, counts: Counts, quotas: Quotas): Usage {
  const { period, resetAt } = usagePeriod(now);
  const limits = limitsOf(bucket, quotas);
  return {
    period,
    exports: { ...counts.export, limit: limits.export },
    masters: { ...counts.master, limit: limits.master },
    resetAt: resetAt.toISOString(),
  };
}

export type GrantRefusalReason = 'upgrade_required' | 'trial_exhausted' | 'quota_exceeded';
export type GrantDecision = { ok: true } | { ok: false; reason: GrantRefusalReason };

/**
 * Whether one more unit of `kind` may be reserved in `bucket`: use and live reservations together
 * stay within the limit. Refused, the trial says "upgrade" when there is none and "trial used up"
 * once it is, the month says "quota reached".
 */
export function decideGrant(bucket: Bucket, kind: UsageKind, usage: Usage): GrantDecision {
  const counter = usage[usageCounterKey(kind)];
  if (counter.used + counter.reserved < counter.limit) return { ok: true };
  if (bucket === 'month') return { ok: false, reason: 'quota_exceeded' };
  return { ok: false, reason: counter.limit === 0 ? 'upgrade_required' : 'trial_exhausted' };
}

/** The usage once one more unit of `kind` is reserved. */
export function withOneReserved(usage: Usage, kind: UsageKind): Usage {
  const key = usageCounterKey(kind);
  return { ...usage, [key]: { ...usage[key], reserved: usage[key].reserved + 1 } };
}

/** What is left of an offline allowance once the uses reported against it are counted. */
export function outstanding(allowance: number, reported: number): number {
  return Math.max(0, allowance - reported);
}

/**
 * A device's offline allowance of one kind: an even share of what the month has left once use,
 * live reservations and the other devices' outstanding allowances are taken out, split over the
 * places not yet holding one. The shares of all devices so add up to no more than the month has
 * left, and a device that comes later still finds some.
 */
export function offlineShare(input: {
  limit: number;
  used: number;
  reserved: number;
  othersOutstanding: number;
  placesLeft: number;
}): number {
  const left = input.limit - input.used - input.reserved - input.othersOutstanding;
  return Math.max(0, Math.floor(left / Math.max(1, input.placesLeft)));
}
