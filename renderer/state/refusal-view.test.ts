import { describe, expect, it } from 'vitest';
import { refusal } from '../../contracts/refusal';
import { translator } from '../i18n';
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
    const actions = (reason: Parameters<typeof refusalView>[0]['reason']) =>
      refusalView(refusal(reason, 'export'), 'en').actions.map((a) => a.action);
    expect(actions('upgrade_required')).toEqual(['pricing']);
    expect(actions('signed_out')).toEqual(['signIn', 'signUp', 'pricing']);
    expect(actions('offline_expired')).toEqual(['retry']);
    expect(actions('quota_exceeded')).toEqual(['pricing']);
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
    expect(fr(refusalView(quota, 'fr').title.key)).toBe('Quota dépassé – passez en Pro');
    const master = refusalView({ ...quota, feature: 'master', used: 100, limit: 100 }, 'en').body;
    expect(en(master.key, master.params)).toContain('100 of your 100 masters');
  });

  it('a quota refusal without its facts still reads plainly', () => {
    const body = refusalView(refusal('quota_exceeded', 'export'), 'en').body;
    expect(en(body.key, body.params)).toBe('You have used this month’s allowance.');
  });
});
