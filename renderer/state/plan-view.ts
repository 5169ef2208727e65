import type { EntitlementState } from '../../contracts/bridge';
import type { Text } from './text';

export type UsageGauge = { text: Text; fraction: number; full: boolean };

/**
 * "2/500 exports · 1/200 masters": delivered work against the limits (renders under way are not
 * use), shown when the plan has an allowance; a Free plan's counters are its trial's. The bar
 * follows the fuller of the two.
 */
export function usageGauge(entitlements: EntitlementState | null): UsageGauge | null {
  const usage = entitlements?.usage;
  if (!usage || usage.exports.limit + usage.masters.limit <= 0) return null;
  const { exports, masters } = usage;
  const fill = (c: { used: number; limit: number }) => (c.limit > 0 ? c.used / c.limit : 0);
  const fraction = Math.min(1, Math.max(fill(exports), fill(masters)));
  return {
    text: {
      key: entitlements.plan === 'free' ? 'header.usageTrial' : 'header.usage',
      params: {
        exportsUsed: exports.used,
        exportsLimit: exports.limit,
        mastersUsed: masters.used,
        mastersLimit: masters.limit,
      },
    },
    fraction,
    full: fraction >= 1,
  };
}

export function isPro(entitlements: EntitlementState | null): boolean {
  return !!entitlements && entitlements.plan !== 'free' && entitlements.features.includes('export');
}
