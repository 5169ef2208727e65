import type { CheckoutStatus } from '../../contracts/bridge';
import type { Text } from './text';

export type CheckoutAction = 'reopen' | 'refresh' | 'cancel' | 'close' | 'restart';
export type CheckoutView = {
  tone: 'waiting' | 'success' | 'calm' | 'warning';
  title: Text;
  body: Text;
  actions: { action: CheckoutAction; label: Text; primary?: boolean }[];
} | null;

/** The checkout panel for each phase main reports; idle shows nothing. */
export function checkoutView(status: CheckoutStatus): CheckoutView {
  switch (status.phase) {
    case 'idle':
      return null;
    case 'pending':
      return {
        tone: 'waiting',
        title: { key: 'checkout.pending.title' },
        body: { key: 'checkout.pending.body' },
        actions: [
          { action: 'reopen', label: { key: 'checkout.reopen' }, primary: true },
          { action: 'refresh', label: { key: 'checkout.refresh' } },
          { action: 'cancel', label: { key: 'checkout.cancel' } },
        ],
      };
    case 'success':
      return {
        tone: 'success',
        title: { key: 'checkout.success.title' },
        body: { key: 'checkout.success.body' },
        actions: [{ action: 'close', label: { key: 'checkout.close' }, primary: true }],
      };
    case 'cancelled':
      return {
        tone: 'calm',
        title: { key: 'checkout.cancelled.title' },
        body: { key: 'checkout.cancelled.body' },
        actions: [{ action: 'close', label: { key: 'checkout.close' }, primary: true }],
      };
    case 'unconfirmed':
      return {
        tone: 'warning',
        title: { key: 'checkout.unconfirmed.title' },
        body: { key: 'checkout.unconfirmed.body' },
        actions: [
          { action: 'refresh', label: { key: 'checkout.unconfirmedRefresh' }, primary: true },
          { action: 'close', label: { key: 'checkout.close' } },
        ],
      };
    case 'expired':
      return {
        tone: 'calm',
        title: { key: 'checkout.expired.title' },
        body: { key: 'checkout.expired.body' },
        actions: [
          { action: 'restart', label: { key: 'checkout.startAgain' }, primary: true },
          { action: 'close', label: { key: 'checkout.close' } },
        ],
      };
  }
}
