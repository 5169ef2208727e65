import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { Refusal, refusal } from '../../../contracts/refusal';
import { GRANT_TYP, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../../contracts/tokens';
import { companionSuite } from '../../../tests/host/companion-suite';
import { mainUnderTest, serverKey } from '../../../tests/host/main-under-test';

const suite = companionSuite({ PRO_MASTERS_PER_MONTH: '3', PRO_EXPORTS_PER_MONTH: '50' });
const { signedIn } = suite;

const wav = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]);

describe('gate', () => {
  it('refuses signed-out and free users with their reasons, as one Refusal shape', async () => {
    const out = mainUnderTest(suite.companion.url);
    expect(await out.main.dispatch('gate.authorize', { kind: 'export' }, true)).toEqual({
      ok: false,
      error: {
        code: 'refused',
        message: expect.any(String),
        refusal: refusal('signed_out', 'export'),
      },
    });
    const free = await signedIn('free');
    const answer = await free.main.dispatch('gate.authorize', { kind: 'master' }, true);
    expect(answer).toMatchObject({
      ok: false,
      error: {
        code: 'refused',
        refusal: { reason: 'upgrade_required', feature: 'master', used: 0, limit: 0, offlineUntil: null },
      },
    });
    if (answer.ok || answer.error.code !== 'refused') throw new Error('not refused');
    expect(Refusal.parse(answer.error.refusal).resetAt).toMatch(/^\d{4}-\d{2}-01T00:00:00/);
  });

  it('writes a render only with a valid, unused grant of the right kind', async () => {
    const t = await signedIn('pro');
    const target = path.join(t.dataDir, 'out', 'mix.wav');
    t.dialogs.save = target;
    const grant = await t.main.gate.authorize('export');
    expect(grant).toMatchObject({ kind: 'export', offline: false });
    expect(t.main.entitlements.state().usage?.exports.used).toBe(1);

    const wrongKind = await t.main.dispatch(
      'gate.saveRender',
      { grantId: grant.id, data: wav, suggestedName: 'mix.wav', kind: 'master' },
      true,
    );
    expect(wrongKind).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(existsSync(target)).toBe(false);

    const saved = await t.main.dispatch(
      'gate.saveRender',
      { grantId: grant.id, data: wav, suggestedName: 'mix.wav' },
      true,
    );
    expect(saved).toEqual({ ok: true, value: { path: target } });
    expect(new Uint8Array(readFileSync(target))).toEqual(wav);

    const reused = await t.main.dispatch(
      'gate.saveRender',
      { grantId: grant.id, data: wav, suggestedName: 'mix.wav' },
      true,
    );
    expect(reused).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const unknown = await t.main.dispatch(
      'gate.saveRender',
      { grantId: 'grant_made_up', data: wav, suggestedName: 'x.wav' },
      true,
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const notBytes = await t.main.dispatch(
      'gate.saveRender',
      { grantId: 'grant_x', data: 'AAAA', suggestedName: 'x.wav' },
      true,
    );
    expect(notBytes).toMatchObject({ ok: false, error: { code: 'validation_error' } });
  });

  it('keeps the grant when the save dialog is cancelled, and refuses it once expired', async () => {
    const t = await signedIn('pro');
    const grant = await t.main.gate.authorize('master');
    t.dialogs.save = null;
    await expect(
      t.main.gate.saveRender({ grantId: grant.id, data: wav, suggestedName: 'm.wav' }),
    ).rejects.toMatchObject({
      code: 'cancelled',
    });
    t.dialogs.save = path.join(t.dataDir, 'late.wav');
    t.clock.advance(20 * 60_000);
    await expect(
      t.main.gate.saveRender({ grantId: grant.id, data: wav, suggestedName: 'm.wav' }),
    ).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('expired'),
    });
    expect(existsSync(t.dialogs.save)).toBe(false);
  });

  it('verifies grants: forged, wrong audience, foreign device, wrong kind and unknown keys are refused', async () => {
    const t = await signedIn('pro');
    const { key, kid } = await serverKey(suite.companion);
    const now = Math.floor(Date.now() / 1000);
    const claims = { kind: 'export', device: t.main.deviceId };
    const sign = (over: Record<string, unknown>, k = key, header: Record<string, unknown> = {}) =>
      new SignJWT({ ...claims, ...over })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: GRANT_TYP, ...header })
        .setIssuer(TOKEN_ISSUER)
        .setAudience((over.aud as string) ?? TOKEN_AUDIENCE)
        .setSubject('u1')
        .setJti('grant_abcdefgh')
        .setIssuedAt(now)
        .setExpirationTime((over.exp as number) ?? now + 600)
        .sign(k);
    expect((await t.main.verifier.verifyGrant(await sign({}), 'export')).ok).toBe(true);
    expect(await t.main.verifier.verifyGrant(await sign({}), 'master')).toEqual({
      ok: false,
      reason: 'wrong_kind',
    });
    expect(await t.main.verifier.verifyGrant(await sign({ aud: 'someone-else' }), 'export')).toEqual({
      ok: false,
      reason: 'wrong_audience',
    });
    expect(await t.main.verifier.verifyGrant(await sign({ device: 'dev_other_device' }), 'export')).toEqual({
      ok: false,
      reason: 'foreign_device',
    });
    expect(await t.main.verifier.verifyGrant(await sign({ exp: now - 3600 }), 'export')).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      await t.main.verifier.verifyGrant(await sign({}, key, { typ: 'siberia-entitlement+jwt' }), 'export'),
    ).toEqual({
      ok: false,
      reason: 'wrong_type',
    });
    const good = await sign({});
    const [h, , s] = good.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ ...claims, kind: 'master', aud: TOKEN_AUDIENCE }),
    ).toString('base64url');
    expect(await t.main.verifier.verifyGrant(`${h}.${forgedBody}.${s}`, 'master')).toMatchObject({
      ok: false,
    });
    const { privateKey } = await (await import('jose')).generateKeyPair('EdDSA');
    expect(
      await t.main.verifier.verifyGrant(
        await sign({}, privateKey as CryptoKey, { kid: 'stranger' }),
        'export',
      ),
    ).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('offline, uses the token allowance up to its limit, then reports the uses once the server answers', async () => {
    const t = await signedIn('pro');
    expect(await t.main.gate.authorize('master')).toMatchObject({ kind: 'master', offline: false });
    expect(t.main.entitlements.state().offline?.mastersLeft).toBe(3);
    await t.main.entitlements.refresh();
    expect(t.main.entitlements.state().offline?.mastersLeft).toBe(2);

    suite.companion.setReachable(false);
    try {
      const a = await t.main.gate.authorize('master');
      const b = await t.main.gate.authorize('master');
      expect(a).toMatchObject({ offline: true, kind: 'master' });
      expect(b).toMatchObject({ offline: true });
      expect(t.main.entitlements.state()).toMatchObject({ online: false, offline: { mastersLeft: 0 } });
      await expect(t.main.gate.authorize('master')).rejects.toMatchObject({
        refusal: {
          reason: 'offline_expired',
          used: null,
          offlineUntil: t.main.entitlements.state().offline?.until,
        },
      });
      t.dialogs.save = path.join(t.dataDir, 'offline.wav');
      await t.main.gate.saveRender({ grantId: a.id, data: wav, suggestedName: 'offline.wav' });
      expect(existsSync(t.dialogs.save)).toBe(true);
      await expect(
        t.main.gate.saveRender({ grantId: a.id, data: wav, suggestedName: 'again.wav' }),
      ).rejects.toMatchObject({
        code: 'unauthorized',
      });
      expect(t.main.ledger.unreported()).toHaveLength(2);
    } finally {
      suite.companion.setReachable(true);
    }
    const state = await t.main.entitlements.refresh();
    expect(t.main.ledger.unreported()).toEqual([]);
    expect(state).toMatchObject({
      online: true,
      usage: { masters: { used: 3, limit: 3 } },
      offline: { mastersLeft: 0 },
    });
    // Online again, the server says the quota is used up.
    await expect(t.main.gate.authorize('master')).rejects.toMatchObject({
      refusal: { reason: 'quota_exceeded', used: 3, limit: 3 },
    });
  });

  it('offline, an expired token is refused, and setting the clock back does not revive it', async () => {
    const t = await signedIn('pro');
    suite.companion.setReachable(false);
    try {
      t.clock.advance(8 * 24 * 3600_000);
      const expired = { refusal: { reason: 'offline_expired', feature: 'export' } };
      await expect(t.main.gate.authorize('export')).rejects.toMatchObject(expired);
      t.clock.advance(-8 * 24 * 3600_000);
      await expect(t.main.gate.authorize('export')).rejects.toMatchObject(expired);
    } finally {
      suite.companion.setReachable(true);
    }
  });
});
