import { describe, expect, it } from 'vitest';
import type { EntitlementState } from '../../contracts/bridge';
import { translator } from '../i18n';
import {
  annualSaving,
  checkoutView,
  errorText,
  featureRefusal,
  isPro,
  priceView,
  refusalFromAuthorize,
  refusalView,
  usageGauge,
} from './upsell';

const en = translator('en');
const fr = translator('fr');
const monthly = {
  id: 'pm',
  interval: 'month' as const,
  unitAmount: 999,
  currency: 'eur',
  productName: 'Pro',
};
const annual = { id: 'py', interval: 'year' as const, unitAmount: 9999, currency: 'eur', productName: 'Pro' };
const pro: EntitlementState = {
  plan: 'pro',
  features: ['export', 'master', 'project_save'],
  source: 'server',
  status: 'active',
  interval: 'month',
  periodEnd: '2026-12-01T00:00:00.000Z',
  cancelAtPeriodEnd: false,
  usage: {
    period: '2026-11',
    exports: { used: 5, limit: 500 },
    masters: { used: 0, limit: 100 },
    resetAt: '2026-12-01T00:00:00.000Z',
  },
  offline: { until: '2026-11-20T00:00:00.000Z', exportsLeft: 3, mastersLeft: 1 },
  online: true,
};
const free: EntitlementState = {
  ...pro,
  plan: 'free',
  features: [],
  status: null,
  usage: null,
  offline: null,
};

describe('refusals', () => {
  it('each reason has its own words and way forward', () => {
    const title = (reason: Parameters<typeof refusalView>[0]['reason']) =>
      en(refusalView({ reason, kind: 'export', usage: null }, 'en').title.key);
    expect(title('upgrade_required')).toBe('Reserved for Pro subscribers');
    expect(title('quota_exceeded')).toBe('Monthly quota reached');
    expect(title('signed_out')).toBe('Sign in to export');
    expect(title('offline_expired')).toBe('Reconnect to keep exporting');
    const actions = (reason: Parameters<typeof refusalView>[0]['reason']) =>
      refusalView({ reason, kind: 'export', usage: null }, 'en').actions.map((a) => a.action);
    expect(actions('upgrade_required')).toEqual(['pricing']);
    expect(actions('signed_out')).toEqual(['signIn', 'signUp', 'pricing']);
    expect(actions('offline_expired')).toEqual(['retry']);
    expect(actions('quota_exceeded')).toEqual(['pricing']);
  });

  it('the quota refusal states the usage and the reset date in the locale', () => {
    const refusal = {
      reason: 'quota_exceeded' as const,
      kind: 'export' as const,
      usage: { used: 500, limit: 500, resetAt: '2026-12-01T00:00:00.000Z' },
    };
    const body = refusalView(refusal, 'en').body;
    expect(en(body.key, body.params)).toBe(
      'You have used 500 of your 500 exports this month. The counter goes back to zero on 1 December 2026.',
    );
    const frBody = refusalView(refusal, 'fr').body;
    expect(fr(frBody.key, frBody.params)).toContain('le 1 décembre 2026');
    expect(fr(refusalView(refusal, 'fr').title.key)).toBe('Quota dépassé – passez en Pro');
  });

  it('reads the gate answer: granted is no refusal', () => {
    expect(
      refusalFromAuthorize('export', {
        ok: true,
        grant: { id: 'g', kind: 'export', expiresAt: '2026-11-01T00:00:00.000Z', offline: false },
      }),
    ).toBeNull();
    expect(
      refusalFromAuthorize('master', { ok: false, reason: 'upgrade_required', message: 'x', usage: null }),
    ).toEqual({
      reason: 'upgrade_required',
      kind: 'master',
      usage: null,
    });
  });

  it('project save is judged on the entitlement state', () => {
    const now = new Date('2026-11-10T00:00:00.000Z');
    expect(featureRefusal('project_save', false, pro, now)?.reason).toBe('signed_out');
    expect(featureRefusal('project_save', true, free, now)?.reason).toBe('upgrade_required');
    expect(featureRefusal('project_save', true, null, now)?.reason).toBe('upgrade_required');
    expect(featureRefusal('project_save', true, pro, now)).toBeNull();
    const offlineTooLong = { ...pro, online: false };
    expect(
      featureRefusal('project_save', true, offlineTooLong, new Date('2026-11-25T00:00:00.000Z'))?.reason,
    ).toBe('offline_expired');
  });
});

describe('pricing', () => {
  it('formats prices as the locale writes money', () => {
    const frMonth = priceView([monthly, annual], 'month', 'fr');
    expect(frMonth && fr(frMonth.perPeriod.key, frMonth.perPeriod.params)).toBe('9,99\u00a0€ / mois');
    const enYear = priceView([monthly, annual], 'year', 'en');
    expect(enYear && en(enYear.perPeriod.key, enYear.perPeriod.params)).toBe('€99.99 / year');
    expect(enYear?.priceId).toBe('py');
  });

  it('computes the annual saving from the two prices', () => {
    expect(annualSaving(monthly, annual)).toEqual({ percent: 17, amount: 1989 });
    expect(annualSaving(monthly, { ...annual, unitAmount: 12_000 })).toBeNull();
    expect(annualSaving(monthly, { ...annual, currency: 'usd' })).toBeNull();
    const view = priceView([monthly, { ...annual, unitAmount: 9000 }], 'year', 'en');
    expect(view?.saving && en(view.saving.key, view.saving.params)).toBe('Save 25% (€29.88 a year)');
  });

  it('has no view for an interval the server does not sell', () => {
    expect(priceView([monthly], 'year', 'en')).toBeNull();
    expect(priceView([], 'month', 'en')).toBeNull();
  });
});

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

describe('header', () => {
  it('the usage gauge reads "5 / 500 exports this month"', () => {
    const gauge = usageGauge(pro);
    expect(gauge && en(gauge.text.key, gauge.text.params)).toBe('5 / 500 exports this month');
    expect(gauge?.full).toBe(false);
    const full = usageGauge({
      ...pro,
      usage: { ...(pro.usage as NonNullable<EntitlementState['usage']>), exports: { used: 500, limit: 500 } },
    });
    expect(full?.full).toBe(true);
    expect(usageGauge(free)).toBeNull();
    expect(usageGauge(null)).toBeNull();
  });
  it('Pro needs a paid plan with its features', () => {
    expect(isPro(pro)).toBe(true);
    expect(isPro(free)).toBe(false);
    expect(isPro(null)).toBe(false);
  });
});

describe('errors', () => {
  it('known codes get the catalogue sentence; others show main’s message', () => {
    const known = errorText({ code: 'invalid_credentials', message: 'bad' });
    expect(en(known.key, known.params)).toBe('Wrong email or password.');
    const other = errorText({ code: 'internal', message: 'Disk full' });
    expect(en(other.key, other.params)).toBe('Disk full');
  });
});
