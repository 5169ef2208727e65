import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { Refusal, refusal } from '../../../contracts/refusal';
import { GRANT_TYP, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../../contracts/tokens';
import { companionSuite } from '../../../tests/host/companion-suite';
import { RETRY_MS } from './gate';
import { type MainUnderTest, mainUnderTest, serverKey } from '../../../tests/host/main-under-test';

// One device holds the whole month as its offline allowance (the sharing is the server's tests').
const suite = companionSuite({
  PRO_MASTERS_PER_MONTH: '3',
  PRO_EXPORTS_PER_MONTH: '50',
  MAX_DEVICES_PER_USER: '1',
});
const { signedIn } = suite;

const wav = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]);

let serverOffset = 0;
/** Moves the server's clock (reservations expire by it). */
function advanceServer(ms: number): void {
  serverOffset += ms;
  suite.companion.advanceServerClock(ms);
}

/** What the server counts for this musician: delivered use and live reservations of one kind. */
async function serverUsage(t: MainUnderTest, kind: 'export' | 'master' = 'export') {
  const state = t.main.account.state();
  if (state.status !== 'signed_in') throw new Error('not signed in');
  const rows = await suite.companion.database.db
    .selectFrom('usage_events')
    .select(['state', 'expires_at'])
    .where('user_id', '=', state.user.id)
    .where('kind', '=', kind)
    .execute();
  const now = new Date(Date.now() + serverOffset).toISOString();
  return {
    used: rows.filter((r) => r.state === 'committed').length,
    reserved: rows.filter((r) => r.state === 'reserved' && (r.expires_at ?? '') > now).length,
  };
}

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
    // Reserved, not used: nothing is counted before the file is written.
    expect(t.main.entitlements.state().usage?.exports).toMatchObject({ used: 0, reserved: 1 });

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
    // Whole under its final name: now it counts, once.
    expect(t.main.entitlements.state().usage?.exports).toMatchObject({ used: 1, reserved: 0 });
    expect(await serverUsage(t)).toEqual({ used: 1, reserved: 0 });

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

  it('gives the reservation back when the save dialog is cancelled: nothing is counted', async () => {
    const t = await signedIn('pro');
    const grant = await t.main.gate.authorize('master');
    expect(await serverUsage(t, 'master')).toEqual({ used: 0, reserved: 1 });
    t.dialogs.save = null;
    await expect(
      t.main.gate.saveRender({ grantId: grant.id, data: wav, suggestedName: 'm.wav' }),
    ).rejects.toMatchObject({ code: 'cancelled', message: expect.stringContaining('nothing was counted') });
    expect(await serverUsage(t, 'master')).toEqual({ used: 0, reserved: 0 });
    // The grant is over: another place needs another render.
    t.dialogs.save = path.join(t.dataDir, 'late.wav');
    await expect(
      t.main.gate.saveRender({ grantId: grant.id, data: wav, suggestedName: 'm.wav' }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    expect(existsSync(t.dialogs.save)).toBe(false);
  });

  it('gives the reservation back on Cancel and on a discarded master (gate.release), once', async () => {
    const t = await signedIn('pro');
    const exportGrant = await t.main.gate.authorize('export');
    const masterGrant = await t.main.gate.authorize('master');
    expect(await serverUsage(t, 'master')).toEqual({ used: 0, reserved: 1 });
    // Cancel during the render.
    expect(await t.main.dispatch('gate.release', { grantId: exportGrant.id }, true)).toEqual({
      ok: true,
      value: { released: true },
    });
    // The master rendered, listened to, and discarded.
    expect(await t.main.dispatch('gate.release', { grantId: masterGrant.id }, true)).toEqual({
      ok: true,
      value: { released: true },
    });
    expect(await serverUsage(t, 'export')).toEqual({ used: 0, reserved: 0 });
    expect(await serverUsage(t, 'master')).toEqual({ used: 0, reserved: 0 });
    expect(t.main.gate.held()).toEqual([]);
    expect(await t.main.dispatch('gate.release', { grantId: masterGrant.id }, true)).toEqual({
      ok: true,
      value: { released: false },
    });
    t.dialogs.save = path.join(t.dataDir, 'cancelled.wav');
    await expect(
      t.main.gate.saveRender({ grantId: exportGrant.id, data: wav, suggestedName: 'x.wav' }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('gives the reservation back when the file cannot be written, and leaves no file', async () => {
    const t = await signedIn('pro');
    const grant = await t.main.gate.authorize('export');
    // A folder that cannot exist: its parent is a file.
    const blocker = path.join(t.dataDir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    t.dialogs.save = path.join(blocker, 'mix.wav');
    await expect(
      t.main.gate.saveRender({ grantId: grant.id, data: wav, suggestedName: 'mix.wav' }),
    ).rejects.toThrow();
    expect(await serverUsage(t)).toEqual({ used: 0, reserved: 0 });
    expect(t.main.gate.held()).toEqual([]);
  });

  it('gives every held reservation back on quit', async () => {
    const t = await signedIn('pro');
    await t.main.gate.authorize('export');
    await t.main.gate.authorize('master');
    expect(t.main.gate.held()).toHaveLength(2);
    await t.main.shutdown();
    expect(await serverUsage(t, 'export')).toEqual({ used: 0, reserved: 0 });
    expect(await serverUsage(t, 'master')).toEqual({ used: 0, reserved: 0 });
    expect(t.main.gate.held()).toEqual([]);
  });

  it('renews the reservation of a render that outlives it, and counts it when saved', async () => {
    const t = await signedIn('pro');
    const grant = await t.main.gate.authorize('export');
    // Half-way through the reservation's life, main renews it.
    const renewal = (task: { ms: number; repeat: boolean }) =>
      !task.repeat && task.ms > 400_000 && task.ms <= 450_000;
    expect(t.scheduler.pending().filter(renewal)).toHaveLength(1);
    advanceServer(450_000);
    t.clock.advance(450_000);
    expect(t.scheduler.run(renewal)).toBe(1);
    await expect
      .poll(() => t.main.gate.held()[0]?.expiresAt)
      .toBe(new Date(Date.parse(grant.expiresAt) + 450_000).toISOString());
    // And again later: a new renewal is scheduled.
    expect(t.scheduler.pending().filter(renewal)).toHaveLength(1);
    // Past the first expiry, the reservation still holds on the server, and the save counts it.
    advanceServer(500_000);
    t.clock.advance(500_000);
    expect(await serverUsage(t)).toEqual({ used: 0, reserved: 1 });
    t.dialogs.save = path.join(t.dataDir, 'long.wav');
    await t.main.gate.saveRender({ grantId: grant.id, data: wav, suggestedName: 'long.wav' });
    expect(await serverUsage(t)).toEqual({ used: 1, reserved: 0 });
    advanceServer(-950_000);
  });

  it('commits a written file once the server answers again', async () => {
    const t = await signedIn('pro');
    const grant = await t.main.gate.authorize('export');
    t.dialogs.save = path.join(t.dataDir, 'unheard.wav');
    // The file is written while the server cannot hear the commit.
    suite.companion.setReachable(false);
    try {
      await t.main.gate.saveRender({ grantId: grant.id, data: wav, suggestedName: 'unheard.wav' });
    } finally {
      suite.companion.setReachable(true);
    }
    expect(existsSync(t.dialogs.save)).toBe(true);
    expect(await serverUsage(t)).toEqual({ used: 0, reserved: 1 });
    // Kept on disk, retried on a timer and before the next grant.
    expect(t.scheduler.pending().some((task) => task.ms === RETRY_MS)).toBe(true);
    await t.main.gate.flushCommits();
    expect(await serverUsage(t)).toEqual({ used: 1, reserved: 0 });
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

  it('offline, records only the files actually written, within the allowance, and reports them once online', async () => {
    const t = await signedIn('pro');
    const online = await t.main.gate.authorize('master');
    t.dialogs.save = path.join(t.dataDir, 'online.wav');
    await t.main.gate.saveRender({ grantId: online.id, data: wav, suggestedName: 'online.wav' });
    await t.main.entitlements.refresh();
    expect(t.main.entitlements.state().offline?.mastersLeft).toBe(2);

    suite.companion.setReachable(false);
    try {
      const a = await t.main.gate.authorize('master');
      const b = await t.main.gate.authorize('master');
      expect(a).toMatchObject({ offline: true, kind: 'master' });
      // Two renders under way hold the whole allowance: a third is refused, saying since when.
      await expect(t.main.gate.authorize('master')).rejects.toMatchObject({
        refusal: {
          reason: 'offline_expired',
          used: null,
          offlineUntil: t.main.entitlements.state().offline?.until,
          offlineSince: expect.stringMatching(/^\d{4}-/),
        },
      });
      // Nothing is recorded before a file is written.
      expect(t.main.ledger.unreported()).toEqual([]);
      t.dialogs.save = path.join(t.dataDir, 'offline.wav');
      await t.main.gate.saveRender({ grantId: a.id, data: wav, suggestedName: 'offline.wav' });
      expect(existsSync(t.dialogs.save)).toBe(true);
      await expect(
        t.main.gate.saveRender({ grantId: a.id, data: wav, suggestedName: 'again.wav' }),
      ).rejects.toMatchObject({ code: 'unauthorized' });
      // The other master is discarded: it leaves no trace, and its place in the allowance is free.
      await t.main.gate.release(b.id);
      expect(t.main.ledger.unreported()).toHaveLength(1);
      expect(t.main.entitlements.state().offline?.mastersLeft).toBe(1);
      expect(await t.main.gate.authorize('master')).toMatchObject({ offline: true });
    } finally {
      suite.companion.setReachable(true);
    }
    const state = await t.main.entitlements.refresh();
    expect(t.main.ledger.unreported()).toEqual([]);
    expect(state).toMatchObject({ online: true, usage: { masters: { used: 2, limit: 3 } } });
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
