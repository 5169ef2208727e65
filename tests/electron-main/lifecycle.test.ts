// The real main bundle when things go wrong at start-up or later: settings that cannot be read, a
// start that fails, no keychain, the window closed while links still come.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildElectronBundles, launchMain, waitFor } from './main-harness';

beforeAll(() => buildElectronBundles(), 60_000);

const stale = 'siberiamix://checkout/success?session_id=cs_test_1&state=s_unknown_state_000000';

describe('settings that cannot be read', () => {
  it.each([
    ['cut short by a crash', (file: string) => writeFileSync(file, '{"deviceId": "dev_')],
    ['unreadable (a folder where the file should be)', (file: string) => mkdirSync(file)],
  ])('a settings file %s is set aside: the app starts with defaults and says so', async (_name, spoil) => {
    const userData = mkdtempSync(path.join(tmpdir(), 'siberia-main-'));
    spoil(path.join(userData, 'settings.json'));
    const m = launchMain({ userData });
    await m.ready();
    expect(m.electron.exits).toEqual([]);
    const aside = readdirSync(userData).find((f) => f.startsWith('settings.unreadable-'));
    expect(aside).toBeDefined();
    const [box] = m.electron.callsTo('dialog.showMessageBox') as Array<[{ message: string; detail: string }]>;
    expect(box?.[0].message).toContain('started with its default settings');
    expect(box?.[0].detail).toContain(path.join(userData, aside as string));
    // Defaults, written afresh: the app works on.
    expect(await m.invoke('app.getInfo')).toMatchObject({ ok: true, value: { locale: 'en' } });
    expect(JSON.parse(readFileSync(path.join(userData, 'settings.json'), 'utf8')).deviceId).toMatch(/^dev_/);
  });

  it('a readable file is kept as it is, and nothing is said', async () => {
    const userData = mkdtempSync(path.join(tmpdir(), 'siberia-main-'));
    writeFileSync(path.join(userData, 'settings.json'), JSON.stringify({ locale: 'fr' }));
    const m = launchMain({ userData });
    await m.ready();
    expect(m.electron.callsTo('dialog.showMessageBox')).toEqual([]);
    expect(await m.invoke('app.getInfo')).toMatchObject({ ok: true, value: { locale: 'fr' } });
  });
});

describe('a start-up that fails', () => {
  it('shows what happened and what to do, gives up the single-instance lock and exits', async () => {
    // userData is a file: no settings can be made there at all.
    const dir = mkdtempSync(path.join(tmpdir(), 'siberia-main-'));
    const userData = path.join(dir, 'not-a-folder');
    writeFileSync(userData, '');
    const m = launchMain({ userData });
    m.electron.ready();
    await waitFor('the exit', () => m.electron.exits.length > 0);
    expect(m.electron.exits).toEqual([1]);
    const [box] = m.electron.callsTo('dialog.showErrorBox');
    expect(box?.[0]).toBe('Siberia Mix could not start');
    expect(box?.[1]).toMatch(/What to do/);
    expect(box?.[1]).toContain(userData);
    const order = m.electron.calls.map((c) => c.api);
    expect(order.slice(-3)).toEqual(['dialog.showErrorBox', 'app.releaseSingleInstanceLock', 'app.exit']);
    expect(m.electron.windows).toHaveLength(0);
  });
});

describe('the keychain', () => {
  it.each(['unavailable', 'missing'] as const)(
    '%s: the app starts all the same and answers the renderer',
    async (keytar) => {
      const m = launchMain({ keytar });
      await m.ready();
      expect(m.electron.exits).toEqual([]);
      expect(m.electron.callsTo('dialog.showErrorBox')).toEqual([]);
      expect(await m.invoke('account.getState')).toMatchObject({ ok: true });
    },
  );
});

describe('the window closed', () => {
  it('is forgotten: a later link or second launch opens a new window instead of touching the destroyed one', async () => {
    // macOS, where closing the last window does not quit.
    const m = launchMain({ platform: 'darwin' });
    const first = await m.ready();
    first.close();
    expect(first.isDestroyed()).toBe(true);
    expect(() =>
      m.electron.app.emit('second-instance', {}, ['/opt/Siberia Mix/siberia-mix', stale], '/'),
    ).not.toThrow();
    const second = await waitFor('a new window', () => m.liveWindow());
    expect(second).not.toBe(first);
    await waitFor('the link handled', () =>
      m.logs().some((l) => l.text.includes('deep link with an unknown or stale state ignored')),
    );
    // IPC from the new window is ours; the destroyed one is nobody's.
    await waitFor('the page', () => second.webContents.getURL() !== '');
    expect(await m.invoke('app.getInfo')).toMatchObject({ ok: true });
  });

  it('on macOS, clicking the Dock icon with no window open makes one', async () => {
    const m = launchMain({ platform: 'darwin' });
    const first = await m.ready();
    first.close();
    expect(m.electron.callsTo('app.quit')).toEqual([]);
    m.electron.app.emit('activate', {}, false);
    expect(m.liveWindow()).toBeDefined();
    expect(m.liveWindow()).not.toBe(first);
  });

  it('open-url brings a minimised window back and focuses it', async () => {
    const m = launchMain();
    const win = await m.ready();
    win.minimize();
    const focused = win.focused;
    m.electron.app.emit('open-url', { preventDefault() {} }, stale);
    expect(win.isMinimized()).toBe(false);
    expect(win.focused).toBe(focused + 1);
  });

  it('elsewhere, closing the window quits; a link arriving while it quits is ignored without error', async () => {
    const m = launchMain({ platform: 'linux' });
    const win = await m.ready();
    win.close();
    expect(m.electron.callsTo('app.quit')).toHaveLength(1);
    expect(() => m.electron.app.emit('second-instance', {}, ['siberia-mix', stale], '/')).not.toThrow();
    expect(m.electron.windows).toHaveLength(1);
  });
});
