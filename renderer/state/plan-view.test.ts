import { describe, expect, it } from 'vitest';
import type { EntitlementState } from '../../contracts/bridge';
import { translator } from '../i18n';
import { isPro, usageGauge } from './plan-view';

const en = translator('en');
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
  attention: null,
};
const free: EntitlementState = {
  ...pro,
  plan: 'free',
  features: [],
  status: null,
  usage: null,
  offline: null,
};

describe('header', () => {
  it('the usage gauge reads "5/500 exports · 0/100 masters", a trial says so', () => {
    const gauge = usageGauge(pro);
    expect(gauge && en(gauge.text.key, gauge.text.params)).toBe('5/500 exports · 0/100 masters');
    expect(gauge?.full).toBe(false);
    const trial = usageGauge({
      ...free,
      usage: {
        ...(pro.usage as NonNullable<EntitlementState['usage']>),
        exports: { used: 1, limit: 2 },
        masters: { used: 0, limit: 0 },
      },
    });
    expect(trial && translator('fr')(trial.text.key, trial.text.params)).toBe(
      'Essai gratuit : 1/2 exports · 0/0 masters',
    );
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
