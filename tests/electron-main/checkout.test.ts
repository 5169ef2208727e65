// The purchase through the real main bundle, against the real companion server and the Stripe
// emulator: Go Pro opens the emulator's Checkout in the "system browser"; the musician closes the app
// while paying; the return link cold-starts it (after Chromium's switches in argv) and is accepted;
// then an export is granted and the app is quit while the save dialog of that render is open.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Companion, startCompanion } from '../host/companion';
import { memoryKeychain } from '../host/node-ports';
import { buildElectronBundles, launchMain, waitFor } from './main-harness';

let companion: Companion;
beforeAll(async () => {
  buildElectronBundles();
  companion = await startCompanion();
}, 60_000);
afterAll(async () => {
  await companion?.close();
});

type Answer = { ok: boolean; value?: Record<string, unknown>; error?: { code: string } };

describe('buying Pro through the app’s main process', () => {
  it('survives the window closed mid-payment, takes the return link on a cold start, then grants an export', async () => {
    const keychain = memoryKeychain();
    const common = {
      serverUrl: companion.url,
      checkoutOrigins: companion.emulator.url,
      keytar: keychain,
      platform: 'linux' as const,
    };
    const first = launchMain(common);
    const win = await first.ready();
    const signUp = (await first.invoke('account.signUp', {
      email: `harness_${Date.now()}@example.com`,
      password: 'a long password',
    })) as Answer;
    expect(signUp.ok).toBe(true);
    const started = (await first.invoke('billing.startCheckout', {
      priceId: companion.prices.monthly,
    })) as Answer;
    expect(started).toMatchObject({ ok: true, value: { phase: 'pending' } });
    const [[checkoutUrl]] = first.electron.callsTo('shell.openExternal') as [[string]];
    expect(new URL(checkoutUrl).origin).toBe(companion.emulator.url);

    // The musician closes the window (on Linux the app quits), then pays in the browser.
    win.close();
    expect(first.electron.callsTo('app.quit')).toHaveLength(1);
    const link = await companion.pay(checkoutUrl);

    // The browser opens the return link: the app starts with it in argv, after Chromium's switches.
    const second = launchMain({
      ...common,
      userData: first.userData,
      argv: ['/opt/Siberia Mix/siberia-mix', '--no-sandbox', '--ozone-platform-hint=auto', link],
    });
    const win2 = await second.ready();
    await waitFor(
      'the purchase confirmed',
      () =>
        win2.webContents.sent.find(
          (m) =>
            m.channel === 'siberia:checkout.changed' && (m.payload as { phase: string }).phase === 'success',
        ),
      15_000,
    );
    expect(await second.invoke('entitlements.get')).toMatchObject({ ok: true, value: { plan: 'pro' } });
    expect(second.logs().some((l) => l.text.includes('stale state'))).toBe(false);

    // Stems: the folder picker is asked once (a folder, creatable), the files go into a new folder.
    const stemsGrant = (await second.invoke('gate.authorize', { kind: 'export' })) as Answer;
    const stemsGrantId = (stemsGrant.value as { id: string }).id;
    const chosen = path.join(second.userData, 'Music');
    mkdirSync(chosen, { recursive: true });
    second.electron.openDialogAnswers.push([chosen]);
    expect(
      await second.invoke('gate.beginStems', { grantId: stemsGrantId, folderName: 'Song', format: 'mp3-v0' }),
    ).toMatchObject({ ok: true, value: { folder: path.join(chosen, 'Song') } });
    expect(second.electron.callsTo('dialog.showOpenDialog').at(-1)?.[0]).toMatchObject({
      properties: ['openDirectory', 'createDirectory'],
    });
    for (const name of ['01 Drums', '02 Bass'])
      await second.invoke('gate.writeStem', { grantId: stemsGrantId, name, data: new Uint8Array([1]) });
    expect(await second.invoke('gate.finishStems', { grantId: stemsGrantId })).toMatchObject({ ok: true });
    expect(readdirSync(path.join(chosen, 'Song')).sort()).toEqual(['01 Drums.mp3', '02 Bass.mp3']);

    // The page dies (killed for memory) while its export is being written: the reservation goes
    // back and the unfinished file goes at once, not at quit; the reloaded page may export again.
    const reservedExports = async () =>
      (
        await companion.database.db
          .selectFrom('usage_events')
          .select(['id'])
          .where('kind', '=', 'export')
          .where('state', '=', 'reserved')
          .execute()
      ).length;
    const lost = (await second.invoke('gate.authorize', { kind: 'export' })) as Answer;
    const lostId = (lost.value as { id: string }).id;
    const beginning = second.invoke('gate.beginRender', {
      grantId: lostId,
      kind: 'export',
      suggestedName: 'lost.wav',
      format: 'wav16',
    }) as Promise<Answer>;
    await waitFor('the save dialog', () => second.electron.saveDialogs.length === 1);
    second.electron.saveDialogs[0]?.(path.join(chosen, 'lost.wav'));
    expect(await beginning).toMatchObject({ ok: true, value: { path: path.join(chosen, 'lost.wav') } });
    expect(
      await second.invoke('gate.writeRender', { grantId: lostId, data: new Uint8Array([1, 2]) }),
    ).toMatchObject({ ok: true, value: { bytes: 2 } });
    const unfinished = () => readdirSync(chosen).filter((f) => f.startsWith('.lost.wav'));
    expect(unfinished()).toHaveLength(1);
    expect(await reservedExports()).toBe(1);
    second.electron.messageBoxAnswers.push(0);
    win2.webContents.emit('render-process-gone', { preventDefault() {} }, { reason: 'oom', exitCode: 9 });
    await waitFor('the unfinished file removed', () => unfinished().length === 0);
    await waitFor('the page reloaded', () => second.electron.callsTo('webContents.reload').length === 1);
    expect(
      await second.invoke('gate.writeRender', { grantId: lostId, data: new Uint8Array([3]) }),
    ).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect(await reservedExports()).toBe(0);
    expect(readdirSync(chosen).includes('lost.wav')).toBe(false);

    // An export: a grant, then the save dialog; the app quits while the dialog is open.
    const grant = (await second.invoke('gate.authorize', { kind: 'export' })) as Answer;
    expect(grant).toMatchObject({ ok: true, value: { kind: 'export', offline: false } });
    const grantId = (grant.value as { id: string }).id;
    const saving = second.invoke('gate.saveRender', {
      grantId,
      data: new Uint8Array([82, 73, 70, 70]),
      suggestedName: 'song.wav',
      kind: 'export',
    }) as Promise<Answer>;
    await waitFor('the save dialog', () => second.electron.saveDialogs.length === 2);
    // The dialog offers the format's files (WAV when none is given).
    expect(second.electron.callsTo('dialog.showSaveDialog').at(-1)?.[0]).toMatchObject({
      filters: [{ name: 'WAV (.wav)', extensions: ['wav'] }],
    });
    second.electron.app.quit();
    // Quitting first hands the render's reservation back (a few seconds at most), then closes.
    await waitFor('the window closed', () => win2.isDestroyed());
    // The dialog closes with the window: nothing is written, and the call still gets its answer.
    second.electron.saveDialogs[1]?.(null);
    expect(await saving).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(existsSync(path.join(second.userData, 'Documents', 'song.wav'))).toBe(false);
    // Nothing was sent to the destroyed window, and the pending checkout is gone from the settings.
    const settings = JSON.parse(readFileSync(path.join(second.userData, 'settings.json'), 'utf8'));
    expect(settings.checkout?.pending).toBeUndefined();
    // Only the renderer this test killed is logged as an error.
    expect(
      second.logs().filter((l) => l.level === 'error' && !l.text.includes('renderer gone {"reason":"oom"')),
    ).toEqual([]);
  }, 60_000);

  it('without a keychain, keeps the sign-in encrypted by safeStorage across a restart', async () => {
    const first = launchMain({ serverUrl: companion.url, keytar: 'unavailable' });
    await first.ready();
    const email = `nokeychain_${Date.now()}@example.com`;
    const signUp = (await first.invoke('account.signUp', { email, password: 'a long password' })) as Answer;
    expect(signUp).toMatchObject({ ok: true, value: { status: 'signed_in' } });
    first.electron.app.quit();
    const stored = JSON.parse(readFileSync(path.join(first.userData, 'settings.json'), 'utf8'));
    expect(stored.credentials.refreshToken).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const second = launchMain({ serverUrl: companion.url, keytar: 'unavailable', userData: first.userData });
    await second.ready();
    await expect
      .poll(() => second.invoke('account.getState'), { timeout: 10_000 })
      .toMatchObject({ ok: true, value: { status: 'signed_in', user: { email } } });
  });
});
