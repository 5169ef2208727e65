import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { checkoutView } from './checkout-view';

const en = translator('en');
const fr = translator('fr');

describe('checkout', () => {
  const status = (phase: Parameters<typeof checkoutView>[0]['phase']) => ({
    phase,
    priceId: 'py',
    startedAt: null,
  });
  it('shows nothing when idle, and the waiting state with its three ways out', () => {
    expect(checkoutView(status('idle'))).toBeNull();
    const pending = checkoutView(status('pending'));
    expect(pending && en(pending.title.key)).toBe('Finish your payment in the browser');
    expect(pending?.actions.map((a) => en(a.label.key))).toEqual([
      'Reopen the payment page',
      'I have paid — refresh',
      'Cancel',
    ]);
  });
  it('thanks on success, stays calm on cancel, offers refresh when unconfirmed', () => {
    const success = checkoutView(status('success'));
    expect(success && fr(success.title.key)).toBe('Merci, vous êtes Pro');
    expect(success && en(success.title.key)).toBe('Thank you — you are Pro');
    expect(checkoutView(status('cancelled'))?.tone).toBe('calm');
    expect(checkoutView(status('unconfirmed'))?.actions.map((a) => a.action)).toContain('refresh');
    expect(checkoutView(status('expired'))?.actions.map((a) => a.action)).toContain('restart');
  });
});
