import type { EntitlementState } from '../../contracts/bridge';
import type { Text } from './text';

/** What the billing banner says, and which of main's actions its button runs. */
export type AttentionView = { text: Text; action: Text; run: 'portal' | 'confirmPayment' };

/**
 * A renewal that failed (Stripe is retrying: update the card in the portal, Pro lasts until the
 * grace ends) or one that waits for 3-D Secure (confirm it on Stripe's invoice page). Nothing for
 * anyone else: a banner that is not true is worse than none.
 */
export function attentionView(
  entitlements: EntitlementState | null,
  formatDate: (iso: string) => string,
): AttentionView | null {
  const attention = entitlements?.attention;
  if (!attention) return null;
  if (attention.kind === 'action_required')
    return {
      text: { key: 'billing.actionRequired' },
      action: { key: 'billing.confirmPayment' },
      run: 'confirmPayment',
    };
  return {
    text: attention.until
      ? { key: 'billing.paymentFailedUntil', params: { date: formatDate(attention.until) } }
      : { key: 'billing.paymentFailed' },
    action: { key: 'billing.updateCard' },
    run: 'portal',
  };
}
