import { type Plan, type Usage, type UsageKind, usageCounterKey } from '../../contracts/plan';

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

/** Monthly limits by plan: free downloads nothing; pro and studio get the configured quotas. */
export function limitsFor(
  plan: Plan,
  quotas: { exportsPerMonth: number; mastersPerMonth: number },
): Record<UsageKind, number> {
  return plan === 'free'
    ? { export: 0, master: 0 }
    : { export: quotas.exportsPerMonth, master: quotas.mastersPerMonth };
}

export function buildUsage(
  now: Date,
  plan: Plan,
  used: Record<UsageKind, number>,
  quotas: { exportsPerMonth: number; mastersPerMonth: number },
): Usage {
  const { period, resetAt } = usagePeriod(now);
  const limits = limitsFor(plan, quotas);
  return {
    period,
    exports: { used: used.export, limit: limits.export },
    masters: { used: used.master, limit: limits.master },
    resetAt: resetAt.toISOString(),
  };
}

export type GrantDecision = { ok: true } | { ok: false; reason: 'upgrade_required' | 'quota_exceeded' };

/** Whether one more use of `kind` may be counted. */
export function decideGrant(plan: Plan, kind: UsageKind, usage: Usage): GrantDecision {
  if (plan === 'free') return { ok: false, reason: 'upgrade_required' };
  const counter = usage[usageCounterKey(kind)];
  return counter.used < counter.limit ? { ok: true } : { ok: false, reason: 'quota_exceeded' };
}

/** The usage once one more use of `kind` is counted. */
export function withOneMore(usage: Usage, kind: UsageKind): Usage {
  const key = usageCounterKey(kind);
  return { ...usage, [key]: { ...usage[key], used: usage[key].used + 1 } };
}
