import { z } from 'zod';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { companionSuite } from '../../../tests/host/companion-suite';
import { mainUnderTest, serverKey } from '../../../tests/host/main-under-test';
import { fakeSafeStorage } from '../../../tests/host/node-ports';

const suite = companionSuite({ PRO_MASTERS_PER_MONTH: '3', PRO_EXPORTS_PER_MONTH: '50' });
const { signedIn } = suite;

describe('EntitlementService', () => {
  it('exposes the verified plan, features, usage and offline allowance, and keeps the token for an offline start', async () => {
    const safeStorage = fakeSafeStorage();
    const t = await signedIn('pro', { safeStorage });
    const state = t.main.entitlements.state();
    expect(state).toMatchObject({
      plan: 'pro',
      features: ['export', 'master', 'project_save'],
      source: 'server',
      online: true,
      status: 'active',
      usage: { masters: { used: 0, limit: 3 } },
      // This device's share of the month: a third of it, with three places (MAX_DEVICES_PER_USER).
      offline: { exportsLeft: 16, mastersLeft: 1 },
    });
    expect(t.events.of('entitlements.changed').at(-1)).toEqual(state);
    t.main.stop();

    suite.companion.setReachable(false);
    try {
      const again = mainUnderTest(suite.companion.url, { dataDir: t.dataDir, safeStorage });
      await again.main.start();
      expect(again.main.entitlements.state()).toMatchObject({ plan: 'pro', source: 'cache', online: false });
      again.main.stop();
    } finally {
      suite.companion.setReachable(true);
    }
  });

  it('refreshes every hour', async () => {
    const t = await signedIn('free');
    await t.main.entitlements.start();
    expect(t.main.entitlements.state().plan).toBe('free');
    const user = t.main.account.state();
    if (user.status !== 'signed_in') throw new Error('signed out');
    await suite.companion.setPlan(user.user.id, 'pro');
    expect(t.scheduler.run((p) => p.repeat && p.ms === 60 * 60 * 1000)).toBe(1);
    await expect.poll(() => t.main.entitlements.state().plan).toBe('pro');
    t.main.stop();
  });

  it('does not believe a forged or foreign-device cached token at an offline start', async () => {
    const safeStorage = fakeSafeStorage();
    const t = await signedIn('pro', { safeStorage });
    const token = t.main.settings.get('entitlements.token', z.string()) as string;
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, offline: { ...claims.offline, masters: 999 } })).toString('base64url')}.${s}`;
    const { key, kid } = await serverKey(suite.companion);
    const foreign = await new SignJWT({ ...claims, device: 'dev_someone_else' })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'siberia-entitlement+jwt' })
      .sign(key);
    t.main.stop();
    suite.companion.setReachable(false);
    try {
      for (const bad of [forged, foreign]) {
        t.main.settings.set('entitlements.token', bad);
        const again = mainUnderTest(suite.companion.url, { dataDir: t.dataDir, safeStorage });
        await again.main.start();
        expect(again.main.account.state().status).toBe('signed_in');
        expect(again.main.entitlements.state()).toMatchObject({
          plan: 'free',
          source: 'none',
          offline: null,
        });
        await expect(again.main.gate.authorize('master')).rejects.toMatchObject({
          refusal: { reason: 'offline_expired', feature: 'master' },
        });
        again.main.stop();
      }
    } finally {
      suite.companion.setReachable(true);
    }
  });
});
