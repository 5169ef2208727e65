import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_TYP, Jwks, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../../contracts/tokens';
import { type Companion, startCompanion } from '../../../tests/host/companion';
import { type MainUnderTest, mainUnderTest } from '../../../tests/host/main-under-test';
import { fakeSafeStorage } from '../../../tests/host/node-ports';

let companion: Companion;
beforeAll(async () => {
  companion = await startCompanion({ PRO_MASTERS_PER_MONTH: '3', PRO_EXPORTS_PER_MONTH: '50' });
});
afterAll(async () => {
  await companion.close();
});

const password = 'a long password';
let n = 0;
async function signedIn(
  plan: 'free' | 'pro',
  opts: Parameters<typeof mainUnderTest>[1] = {},
): Promise<MainUnderTest> {
  const t = mainUnderTest(companion.url, opts);
  const state = await t.main.account.signUp({ email: `gate${n++}@example.com`, password });
  if (state.status !== 'signed_in') throw new Error('sign-up failed');
  await companion.setPlan(state.user.id, plan);
  await t.main.entitlements.refresh();
  return t;
}

const wav = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]);

async function serverKey() {
  const key = await importPKCS8(
    readFileSync(path.join(companion.dataDir, 'entitlement-key.pem'), 'utf8'),
    'EdDSA',
  );
  const kid = Jwks.parse(await (await fetch(`${companion.server.url}/.well-known/jwks.json`)).json()).keys[0]
    ?.kid;
  return { key, kid: kid as string };
}

describe('entitlements', () => {
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
      offline: { exportsLeft: 50, mastersLeft: 3 },
    });
    expect(t.events.of('entitlements.changed').at(-1)).toEqual(state);
    t.main.stop();

    companion.setReachable(false);
    try {
      const again = mainUnderTest(companion.url, { dataDir: t.dataDir, safeStorage });
      await again.main.start();
      expect(again.main.entitlements.state()).toMatchObject({ plan: 'pro', source: 'cache', online: false });
      again.main.stop();
    } finally {
      companion.setReachable(true);
    }
  });

  it('refreshes every hour', async () => {
    const t = await signedIn('free');
    await t.main.entitlements.start();
    expect(t.main.entitlements.state().plan).toBe('free');
    const user = t.main.account.state();
    if (user.status !== 'signed_in') throw new Error('signed out');
    await companion.setPlan(user.user.id, 'pro');
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
    const { key, kid } = await serverKey();
    const foreign = await new SignJWT({ ...claims, device: 'dev_someone_else' })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'siberia-entitlement+jwt' })
      .sign(key);
    t.main.stop();
    companion.setReachable(false);
    try {
      for (const bad of [forged, foreign]) {
        t.main.settings.set('entitlements.token', bad);
        const again = mainUnderTest(companion.url, { dataDir: t.dataDir, safeStorage });
        await again.main.start();
        expect(again.main.account.state().status).toBe('signed_in');
        expect(again.main.entitlements.state()).toMatchObject({
          plan: 'free',
          source: 'none',
          offline: null,
        });
        expect(await again.main.gate.authorize('master')).toMatchObject({
          ok: false,
          reason: 'offline_expired',
        });
        again.main.stop();
      }
    } finally {
      companion.setReachable(true);
    }
  });
});

describe('gate', () => {
  it('refuses signed-out and free users with their reasons', async () => {
    const out = mainUnderTest(companion.url);
    expect(await out.main.dispatch('gate.authorize', { kind: 'export' }, true)).toMatchObject({
      ok: true,
      value: { ok: false, reason: 'signed_out' },
    });
    const free = await signedIn('free');
    expect(await free.main.gate.authorize('export')).toMatchObject({
      ok: false,
      reason: 'upgrade_required',
      usage: { used: 0, limit: 0 },
    });
  });

  it('writes a render only with a valid, unused grant of the right kind', async () => {
    const t = await signedIn('pro');
    const target = path.join(t.dataDir, 'out', 'mix.wav');
    t.dialogs.save = target;
    const auth = await t.main.gate.authorize('export');
    if (!auth.ok) throw new Error(auth.message);
    expect(auth.grant).toMatchObject({ kind: 'export', offline: false });
    expect(t.main.entitlements.state().usage?.exports.used).toBe(1);

    const wrongKind = await t.main.dispatch(
      'gate.saveRender',
      { grantId: auth.grant.id, data: wav, suggestedName: 'mix.wav', kind: 'master' },
      true,
    );
    expect(wrongKind).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(existsSync(target)).toBe(false);

    const saved = await t.main.dispatch(
      'gate.saveRender',
      { grantId: auth.grant.id, data: wav, suggestedName: 'mix.wav' },
      true,
    );
    expect(saved).toEqual({ ok: true, value: { path: target } });
    expect(new Uint8Array(readFileSync(target))).toEqual(wav);

    const reused = await t.main.dispatch(
      'gate.saveRender',
      { grantId: auth.grant.id, data: wav, suggestedName: 'mix.wav' },
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
    const auth = await t.main.gate.authorize('master');
    if (!auth.ok) throw new Error(auth.message);
    t.dialogs.save = null;
    await expect(
      t.main.gate.saveRender({ grantId: auth.grant.id, data: wav, suggestedName: 'm.wav' }),
    ).rejects.toMatchObject({
      code: 'cancelled',
    });
    t.dialogs.save = path.join(t.dataDir, 'late.wav');
    t.clock.advance(20 * 60_000);
    await expect(
      t.main.gate.saveRender({ grantId: auth.grant.id, data: wav, suggestedName: 'm.wav' }),
    ).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('expired'),
    });
    expect(existsSync(t.dialogs.save)).toBe(false);
  });

  it('verifies grants: forged, wrong audience, foreign device, wrong kind and unknown keys are refused', async () => {
    const t = await signedIn('pro');
    const { key, kid } = await serverKey();
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
    const first = await t.main.gate.authorize('master');
    expect(first.ok).toBe(true);
    expect(t.main.entitlements.state().offline?.mastersLeft).toBe(3);
    await t.main.entitlements.refresh();
    expect(t.main.entitlements.state().offline?.mastersLeft).toBe(2);

    companion.setReachable(false);
    try {
      const a = await t.main.gate.authorize('master');
      const b = await t.main.gate.authorize('master');
      expect(a).toMatchObject({ ok: true, grant: { offline: true, kind: 'master' } });
      expect(b).toMatchObject({ ok: true, grant: { offline: true } });
      expect(t.main.entitlements.state()).toMatchObject({ online: false, offline: { mastersLeft: 0 } });
      expect(await t.main.gate.authorize('master')).toMatchObject({
        ok: false,
        reason: 'offline_expired',
        usage: null,
      });
      if (!a.ok) throw new Error('no grant');
      t.dialogs.save = path.join(t.dataDir, 'offline.wav');
      await t.main.gate.saveRender({ grantId: a.grant.id, data: wav, suggestedName: 'offline.wav' });
      expect(existsSync(t.dialogs.save)).toBe(true);
      await expect(
        t.main.gate.saveRender({ grantId: a.grant.id, data: wav, suggestedName: 'again.wav' }),
      ).rejects.toMatchObject({
        code: 'unauthorized',
      });
      expect(t.main.ledger.unreported()).toHaveLength(2);
    } finally {
      companion.setReachable(true);
    }
    const state = await t.main.entitlements.refresh();
    expect(t.main.ledger.unreported()).toEqual([]);
    expect(state).toMatchObject({
      online: true,
      usage: { masters: { used: 3, limit: 3 } },
      offline: { mastersLeft: 0 },
    });
    // Online again, the server says the quota is used up.
    expect(await t.main.gate.authorize('master')).toMatchObject({ ok: false, reason: 'quota_exceeded' });
  });

  it('offline, an expired token is refused, and setting the clock back does not revive it', async () => {
    const t = await signedIn('pro');
    companion.setReachable(false);
    try {
      t.clock.advance(8 * 24 * 3600_000);
      expect(await t.main.gate.authorize('export')).toMatchObject({ ok: false, reason: 'offline_expired' });
      t.clock.advance(-8 * 24 * 3600_000);
      expect(await t.main.gate.authorize('export')).toMatchObject({ ok: false, reason: 'offline_expired' });
    } finally {
      companion.setReachable(true);
    }
  });
});

describe('projects', () => {
  const project = {
    format: 'siberia-mix-project',
    version: 1,
    name: 'Song',
    sampleRate: 48000,
    tracks: [],
    master: { gainDb: 0, targetLufs: -14, ceilingDbtp: -1, glue: false, tilt: 'neutral' },
  };

  it('saving is for Pro; autosave and restore are for everyone', async () => {
    const free = await signedIn('free');
    free.dialogs.save = path.join(free.dataDir, 'song.siberia');
    expect(await free.main.dispatch('project.save', { project, saveAs: false }, true)).toMatchObject({
      ok: false,
      error: { code: 'upgrade_required' },
    });
    expect(existsSync(free.dialogs.save)).toBe(false);
    const auto = await free.main.dispatch('project.autosave', { project }, true);
    expect(auto).toMatchObject({ ok: true });
    expect(await free.main.dispatch('project.restoreAutosave', undefined, true)).toMatchObject({
      ok: true,
      value: { project: { name: 'Song' } },
    });

    const pro = await signedIn('pro');
    pro.dialogs.save = path.join(pro.dataDir, 'song');
    expect(await pro.main.dispatch('project.save', { project, saveAs: false }, true)).toEqual({
      ok: true,
      value: { path: path.join(pro.dataDir, 'song.siberia') },
    });
    pro.dialogs.open = path.join(pro.dataDir, 'song.siberia');
    expect(await pro.main.dispatch('project.open', undefined, true)).toMatchObject({
      ok: true,
      value: { project },
    });
    expect(pro.main.settings.recentProjects()).toEqual([path.join(pro.dataDir, 'song.siberia')]);
    pro.dialogs.open = path.join(pro.dataDir, 'autosave-missing.json');
    expect(await pro.main.dispatch('project.open', undefined, true)).toMatchObject({
      ok: false,
      error: { code: 'validation_error' },
    });
  });

  it('keeps the session’s audio for everyone, by track id only, and drops what the session no longer has', async () => {
    const free = await signedIn('free');
    const bytes = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]);
    const track = (id: string) => ({
      id,
      name: id,
      source: { path: `${id}.wav` },
      gainDb: 0,
      pan: 0,
      mute: false,
      solo: false,
      startOffsetSec: 0,
      eq: {
        low: { gainDb: 0, freqHz: 120 },
        mid: { gainDb: 0, freqHz: 1000, q: 0.7 },
        high: { gainDb: 0, freqHz: 8000 },
      },
      compressor: { enabled: false, thresholdDb: -18, ratio: 3, attackMs: 10, releaseMs: 120, makeupDb: 0 },
    });
    for (const id of ['drums', 'bass'])
      expect(await free.main.dispatch('project.keepAudio', { trackId: id, data: bytes }, true)).toEqual({
        ok: true,
        value: { kept: true },
      });
    expect(await free.main.dispatch('project.recallAudio', { trackId: 'drums' }, true)).toEqual({
      ok: true,
      value: { trackId: 'drums', data: bytes },
    });
    expect(await free.main.dispatch('project.recallAudio', { trackId: 'never' }, true)).toEqual({
      ok: true,
      value: null,
    });
    // A path is not a track id: refused before anything is read or written.
    for (const trackId of ['../autosave.json', 'a/b', '', 'x'.repeat(65)]) {
      expect(await free.main.dispatch('project.keepAudio', { trackId, data: bytes }, true)).toMatchObject({
        ok: false,
        error: { code: 'validation_error' },
      });
    }
    expect(existsSync(path.join(free.dataDir, 'autosave.json'))).toBe(false);
    // The autosave of a session without "bass" lets its audio go.
    const parsed = await free.main.dispatch(
      'project.autosave',
      { project: { ...project, tracks: [track('drums')] } },
      true,
    );
    expect(parsed).toMatchObject({ ok: true });
    expect(await free.main.dispatch('project.recallAudio', { trackId: 'bass' }, true)).toEqual({
      ok: true,
      value: null,
    });
    expect(await free.main.dispatch('project.recallAudio', { trackId: 'drums' }, true)).toMatchObject({
      ok: true,
      value: { trackId: 'drums' },
    });
  });
});
