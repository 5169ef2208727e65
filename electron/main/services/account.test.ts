import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Companion, startCompanion } from '../../../tests/host/companion';
import { mainUnderTest } from '../../../tests/host/main-under-test';
import { fakeSafeStorage } from '../../../tests/host/node-ports';

let companion: Companion;
beforeAll(async () => {
  companion = await startCompanion();
});
afterAll(async () => {
  await companion.close();
});

const password = 'a long password';
const refreshWith = (refreshToken: string) =>
  fetch(`${companion.server.url}/api/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
  });

describe('account', () => {
  it('signs up, keeps the refresh token in the vault and the access token only in memory, and tells the renderer', async () => {
    const t = mainUnderTest(companion.url);
    const res = await t.main.dispatch('account.signUp', { email: 'Ada@Example.com', password }, true);
    expect(res).toMatchObject({
      ok: true,
      value: { status: 'signed_in', user: { email: 'ada@example.com' } },
    });
    expect(t.events.of('account.changed')).toContainEqual(expect.objectContaining({ status: 'signed_in' }));
    const refresh = await t.main.vault.load();
    expect(refresh).toBeTruthy();
    const onDisk = readFileSync(path.join(t.dataDir, 'settings.json'), 'utf8');
    expect(onDisk).not.toContain(refresh as string);
    expect(onDisk).not.toMatch(/accessToken|eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+"/);
  });

  it('refuses a bad sign-in with the server reason and changes nothing', async () => {
    await companion.register('bob@example.com', password);
    const t = mainUnderTest(companion.url);
    const wrong = await t.main.dispatch(
      'account.signIn',
      { email: 'bob@example.com', password: 'wrong password' },
      true,
    );
    expect(wrong).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_credentials' }) });
    expect(t.main.account.state()).toEqual({ status: 'signed_out' });
    expect(await t.main.vault.load()).toBeNull();
    const bad = await t.main.dispatch('account.signUp', { email: 'not-an-email', password }, true);
    expect(bad).toEqual({ ok: false, error: expect.objectContaining({ code: 'validation_error' }) });
    expect(t.events.of('account.changed')).toEqual([]);
  });

  it('signs back in at start with a rotated refresh token; the old one no longer works', async () => {
    const safe = fakeSafeStorage();
    const first = mainUnderTest(companion.url, { safeStorage: safe });
    await first.main.account.signUp({ email: 'carol@example.com', password });
    const old = (await first.main.vault.load()) as string;
    first.main.stop();

    const again = mainUnderTest(companion.url, { safeStorage: safe, dataDir: first.dataDir });
    await again.main.start();
    expect(again.main.account.state()).toMatchObject({
      status: 'signed_in',
      user: { email: 'carol@example.com' },
    });
    const rotated = await again.main.vault.load();
    expect(rotated).not.toBe(old);
    expect((await refreshWith(old)).status).toBe(401);
    again.main.stop();
  });

  it('refreshes silently before the access token expires', async () => {
    const t = mainUnderTest(companion.url);
    await t.main.account.signUp({ email: 'dan@example.com', password });
    const before = await t.main.vault.load();
    const timers = t.scheduler.pending().filter((p) => !p.repeat);
    expect(timers.length).toBe(1);
    // 15-minute access tokens: the refresh is due a minute before they end.
    expect(timers[0]?.ms).toBeLessThanOrEqual(14 * 60_000);
    expect(timers[0]?.ms).toBeGreaterThan(10 * 60_000);
    t.scheduler.run((p) => !p.repeat);
    await t.main.account.refresh();
    expect(await t.main.vault.load()).not.toBe(before);
    expect(t.main.account.state().status).toBe('signed_in');
  });

  it('on a 401 refreshes once and retries; a refused refresh token signs out', async () => {
    const t = mainUnderTest(companion.url);
    await t.main.account.signUp({ email: 'eve@example.com', password });
    const before = await t.main.vault.load();
    // The server's clock moves past the access token's life; the app's does not know.
    companion.advanceServerClock(20 * 60_000);
    try {
      const me = await t.main.account.authed('me', undefined);
      expect(me.user.email).toBe('eve@example.com');
      expect(await t.main.vault.load()).not.toBe(before);
      // Someone else used our refresh token: the server revokes the family, we sign out.
      await refreshWith((await t.main.vault.load()) as string);
      companion.advanceServerClock(20 * 60_000);
      await expect(t.main.account.authed('me', undefined)).rejects.toMatchObject({ code: 'unauthorized' });
      expect(t.main.account.state()).toEqual({ status: 'signed_out' });
      expect(await t.main.vault.load()).toBeNull();
      expect(t.events.of('account.changed').at(-1)).toEqual({ status: 'signed_out' });
    } finally {
      companion.advanceServerClock(-40 * 60_000);
    }
  });

  it('signs out: the server revokes the refresh token and nothing stays on this machine', async () => {
    const t = mainUnderTest(companion.url);
    await t.main.account.signUp({ email: 'fay@example.com', password });
    const token = (await t.main.vault.load()) as string;
    const res = await t.main.dispatch('account.signOut', undefined, true);
    expect(res).toEqual({ ok: true, value: { status: 'signed_out' } });
    expect(await t.main.vault.load()).toBeNull();
    expect(t.main.settings.cachedUser()).toBeNull();
    expect((await refreshWith(token)).status).toBe(401);
  });

  it('offline at start, the cached user stays signed in; sign-out still works offline', async () => {
    const safe = fakeSafeStorage();
    const first = mainUnderTest(companion.url, { safeStorage: safe });
    await first.main.account.signUp({ email: 'gus@example.com', password });
    first.main.stop();
    companion.setReachable(false);
    try {
      const again = mainUnderTest(companion.url, { safeStorage: safe, dataDir: first.dataDir });
      await again.main.account.start();
      expect(again.main.account.state()).toMatchObject({
        status: 'signed_in',
        user: { email: 'gus@example.com' },
      });
      await again.main.account.signOut();
      expect(again.main.account.state()).toEqual({ status: 'signed_out' });
      expect(await again.main.vault.load()).toBeNull();
    } finally {
      companion.setReachable(true);
    }
  });
});
