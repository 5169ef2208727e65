import type { EntitlementState } from '../../contracts/bridge';
import type { Text } from './text';

export type UsageGauge = { text: Text; fraction: number; full: boolean };

/** "5 / 500 exports this month", shown when the plan has an export allowance. */
export function usageGauge(entitlements: EntitlementState | null): UsageGauge | null {
  const usage = entitlements?.usage;
  if (!usage || usage.exports.limit <= 0) return null;
  const { used, limit } = usage.exports;
  return {
    text: { key: 'header.usageExports', params: { used, limit } },
    fraction: Math.min(1, used / limit),
    full: used >= limit,
  };
}

export function isPro(entitlements: EntitlementState | null): boolean {
  return !!entitlements && entitlements.plan !== 'free' && entitlements.features.includes('export');
}
