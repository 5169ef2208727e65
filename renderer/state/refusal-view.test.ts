import { describe, expect, it } from 'vitest';
import { refusal } from '../../contracts/refusal';
import { translator } from '../i18n';
import { fr as frCatalogue } from '../i18n/fr';
import { refusalView } from './refusal-view';

const en = translator('en');
const fr = translator('fr');

describe('refusals', () => {
  it('each reason has its own words and way forward', () => {
    const title = (reason: Parameters<typeof refusalView>[0]['reason']) =>
      en(refusalView(refusal(reason, 'export'), 'en').title.key);
    expect(title('upgrade_required')).toBe('Reserved for Pro subscribers');
    expect(title('quota_exceeded')).toBe('Monthly quota reached');
    expect(title('signed_out')).toBe('Sign in to export');
    expect(title('offline_expired')).toBe('Reconnect to keep exporting');
    expect(title('trial_exhausted')).toBe('Free trial used – go Pro');
    expect(title('device_limit')).toBe('This account is on too many devices');
    const actions = (reason: Parameters<typeof refusalView>[0]['reason']) =>
      refusalView(refusal(reason, 'export'), 'en').actions.map((a) => a.action);
    expect(actions('upgrade_required')).toEqual(['pricing']);
    expect(actions('signed_out')).toEqual(['signIn', 'signUp', 'pricing']);
    expect(actions('offline_expired')).toEqual(['retry']);
    // Pro at its limit is not sent to pricing: there is nothing to buy.
    expect(actions('quota_exceeded')).toEqual([]);
    expect(actions('trial_exhausted')).toEqual(['pricing']);
    expect(actions('device_limit')).toEqual(['devices', 'retry']);
  });

  it('the quota refusal states the usage and the reset date in the locale', () => {
    const quota = refusal('quota_exceeded', 'export', {
      used: 500,
      limit: 500,
      resetAt: '2026-12-01T00:00:00.000Z',
    });
    const body = refusalView(quota, 'en').body;
    expect(en(body.key, body.params)).toBe(
      'You have used 500 of your 500 exports this month. The counter goes back to zero on 1 December 2026.',
    );
    const frBody = refusalView(quota, 'fr').body;
    expect(fr(frBody.key, frBody.params)).toContain('le 1 décembre 2026');
    expect(fr(refusalView(quota, 'fr').title.key)).toBe('Quota mensuel atteint');
    // No upgrade wording for a Pro musician at the limit, in either language.
    for (const [t, locale] of [
      [en, 'en'],
      [fr, 'fr'],
    ] as const) {
      const view = refusalView(quota, locale);
      const words = `${t(view.title.key)} ${t(view.body.key, view.body.params)}`;
      expect(words).not.toMatch(/Pro|upgrade|passez|abonn/i);
    }
    const master = refusalView({ ...quota, feature: 'master', used: 100, limit: 100 }, 'en').body;
    expect(en(master.key, master.params)).toContain('100 of your 100 masters');
  });

  it('a quota refusal without its facts still reads plainly', () => {
    const body = refusalView(refusal('quota_exceeded', 'export'), 'en').body;
    expect(en(body.key, body.params)).toBe('You have used this month’s allowance.');
  });

  it('« Quota dépassé – passez en Pro » only for a Free musician who used the trial', () => {
    const trial = refusal('trial_exhausted', 'export', { used: 3, limit: 3 });
    const view = refusalView(trial, 'fr');
    expect(fr(view.title.key)).toBe('Quota dépassé – passez en Pro');
    expect(fr(view.body.key, view.body.params)).toBe(
      'Votre essai gratuit est épuisé (exports : 3/3). Avec Pro, exporter et mastériser continuent chaque mois.',
    );
    expect(fr(view.actions[0]?.label.key ?? 'refusal.retry')).toBe('Passer en Pro');
    const allFrench = Object.entries(frCatalogue).filter(([, v]) => v.includes('Quota dépassé'));
    expect(allFrench.map(([k]) => k)).toEqual(['refusal.trial_exhausted.title']);
  });

  it('offline: since when, and reconnect; device limit: how many, and where to sign one out', () => {
    const offline = refusal('offline_expired', 'export', {
      offlineSince: '2026-11-20T09:00:00.000Z',
      offlineUntil: '2026-11-27T09:00:00.000Z',
    });
    const body = refusalView(offline, 'en').body;
    expect(en(body.key, body.params)).toBe(
      'Siberia Mix has not reached the server since 20 November 2026, and cannot confirm more exports and masters offline. Reconnect to the internet, then try again.',
    );
    const frBody = refusalView(offline, 'fr').body;
    expect(fr(frBody.key, frBody.params)).toContain('depuis le 20 novembre 2026');
    const devices = refusalView(refusal('device_limit', 'export', { limit: 3 }), 'fr').body;
    expect(fr(devices.key, devices.params)).toBe(
      'Siberia Mix Pro fonctionne sur 3 appareils à la fois. Déconnectez-en un depuis le menu du compte, puis réessayez.',
    );
  });
});
