import { describe, expect, it } from 'vitest';
import type { EntitlementState } from '../../contracts/bridge';
import { translator } from '../i18n';
import { attentionView } from './billing-attention-view';

const base: EntitlementState = {
  plan: 'pro',
  features: ['export', 'master', 'project_save'],
  source: 'server',
  status: 'past_due',
  interval: 'month',
  periodEnd: '2026-12-01T00:00:00.000Z',
  cancelAtPeriodEnd: false,
  usage: null,
  offline: null,
  online: true,
  attention: null,
};
const date = (iso: string) => iso.slice(0, 10);

describe('attentionView', () => {
  it('says nothing to a musician with nothing to do, or signed out', () => {
    expect(attentionView({ ...base, status: 'active' }, date)).toBeNull();
    expect(attentionView(null, date)).toBeNull();
  });

  it('asks a past_due musician to update the card in the portal, saying until when Pro lasts', () => {
    const view = attentionView(
      { ...base, attention: { kind: 'payment_failed', until: '2026-12-15T10:00:00.000Z' } },
      date,
    );
    expect(view).toEqual({
      text: { key: 'billing.paymentFailedUntil', params: { date: '2026-12-15' } },
      action: { key: 'billing.updateCard' },
      run: 'portal',
    });
    const fr = translator('fr');
    expect(fr(view?.text.key ?? 'billing.paymentFailed', view?.text.params)).toBe(
      'Votre dernier paiement n’est pas passé. Mettez à jour votre carte pour garder Pro après le 2026-12-15.',
    );
  });

  it('sends a renewal waiting for 3-D Secure to the confirmation, in both languages', () => {
    const view = attentionView(
      { ...base, attention: { kind: 'action_required', url: 'https://invoice.stripe.com/i/x' } },
      date,
    );
    expect(view?.run).toBe('confirmPayment');
    expect(translator('en')(view?.action.key ?? 'billing.updateCard')).toBe('Confirm payment');
    expect(translator('fr')(view?.action.key ?? 'billing.updateCard')).toBe('Confirmer le paiement');
  });
});
