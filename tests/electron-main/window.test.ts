// The real main bundle's window: a renderer that dies or hangs, web permissions and devices, the
// menu of a packaged app, the place the window opens at.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildElectronBundles, launchMain, waitFor } from './main-harness';

beforeAll(() => void buildElectronBundles(), 60_000);

describe('a renderer that stops', () => {
  it.each([
    ['oom', 0, 'reloads the desk'],
    ['crashed', 1, 'quits'],
  ] as const)('gone (%s): main offers a reload; answer %i %s', async (reason, answer, _outcome) => {
    const m = launchMain();
    const win = await m.ready();
    m.electron.messageBoxAnswers.push(answer);
    win.webContents.emit('render-process-gone', { preventDefault() {} }, { reason, exitCode: 9 });
    await waitFor('the answer acted on', () =>
      answer === 0 ? m.electron.callsTo('webContents.reload').length : m.electron.callsTo('app.quit').length,
    );
    const [[box]] = m.electron.callsTo('dialog.showMessageBox') as [[{ message: string; buttons: string[] }]];
    expect(box.buttons).toEqual(['Reload', 'Quit']);
    expect(m.logs().some((l) => l.level === 'error' && l.text.includes('renderer gone'))).toBe(true);
    if (answer === 0) {
      // The reloaded page is ours again: it may use the bridge (and restores the autosave through it).
      await waitFor('the page loaded again', () => win.webContents.getURL().startsWith('app://'));
      expect(await m.invoke('project.restoreAutosave')).toMatchObject({ ok: true, value: null });
    }
  });

  it('a clean exit asks nothing', async () => {
    const m = launchMain();
    const win = await m.ready();
    win.webContents.emit(
      'render-process-gone',
      { preventDefault() {} },
      { reason: 'clean-exit', exitCode: 0 },
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(m.electron.callsTo('dialog.showMessageBox')).toEqual([]);
  });

  it('unresponsive: waiting changes nothing, reloading reloads', async () => {
    const m = launchMain();
    const win = await m.ready();
    m.electron.messageBoxAnswers.push(0, 1);
    win.emit('unresponsive');
    await waitFor('the first answer', () => m.electron.callsTo('dialog.showMessageBox').length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(m.electron.callsTo('webContents.reload')).toEqual([]);
    win.emit('unresponsive');
    await waitFor('the reload', () => m.electron.callsTo('webContents.reload').length === 1);
  });
});

describe('permissions and devices', () => {
  it('grants the page nothing but a clipboard write from app://, and no device', async () => {
    const m = launchMain();
    await m.ready();
    const s = m.electron.session;
    const check = (permission: string, origin: string) =>
      (s.checkHandler as (wc: null, p: string, o: string, d: object) => boolean)(
        null,
        permission,
        origin,
        {},
      );
    expect(check('media', 'app://siberia')).toBe(false);
    expect(check('hid', 'app://siberia')).toBe(false);
    expect(check('clipboard-sanitized-write', 'app://siberia')).toBe(true);
    expect(check('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    const request = (permission: string, requestingUrl: string) =>
      new Promise<boolean>((resolve) =>
        (s.requestHandler as unknown as (wc: null, p: string, cb: (ok: boolean) => void, d: object) => void)(
          null,
          permission,
          resolve,
          { requestingUrl },
        ),
      );
    expect(await request('notifications', 'app://siberia/index.html')).toBe(false);
    expect(await request('midiSysex', 'app://siberia/index.html')).toBe(false);
    expect((s.deviceHandler as (d: object) => boolean)({ deviceType: 'usb', origin: 'app://siberia' })).toBe(
      false,
    );
    for (const event of ['select-hid-device', 'select-usb-device']) {
      let prevented = false;
      let chosen: string | null = null;
      s.emit(event, { preventDefault: () => (prevented = true) }, {}, (id: string) => (chosen = id));
      expect([event, prevented, chosen]).toEqual([event, true, '']);
    }
  });

  it('cancels a subframe navigating away from app://', async () => {
    const m = launchMain();
    const win = await m.ready();
    let prevented = false;
    win.webContents.emit('will-frame-navigate', {
      url: 'https://evil.example/',
      preventDefault: () => (prevented = true),
    });
    expect(prevented).toBe(true);
  });
});

describe('the menu', () => {
  const roles = (items: MenuItemConstructorOptions[]): string[] =>
    items.flatMap((i) => [
      ...(i.role ? [i.role] : []),
      ...(Array.isArray(i.submenu) ? roles(i.submenu as MenuItemConstructorOptions[]) : []),
    ]);
  it.each([
    [true, false],
    [false, true],
  ])('packaged %s: developer tools and reload in the menu: %s', async (packaged, developer) => {
    const m = launchMain({ packaged });
    await m.ready();
    const [[menu]] = m.electron.callsTo('Menu.setApplicationMenu') as [
      [{ items: MenuItemConstructorOptions[] }],
    ];
    const r = roles(menu.items);
    expect(r.includes('toggleDevTools')).toBe(developer);
    expect(r.includes('reload')).toBe(developer);
    expect(r).toContain('editMenu');
  });
});

describe('where the window opens', () => {
  it('on a display that was unplugged since: on one that exists, fitting it; the place is saved on close', async () => {
    const userData = mkdtempSync(path.join(tmpdir(), 'siberia-main-'));
    writeFileSync(
      path.join(userData, 'settings.json'),
      JSON.stringify({ windowBounds: { x: 3000, y: 200, width: 2200, height: 1300, maximized: false } }),
    );
    const m = launchMain({ userData, displays: [{ x: 0, y: 0, width: 1440, height: 875 }] });
    const win = await m.ready();
    expect(win.options).toMatchObject({ width: 1440, height: 875 });
    expect(win.options.x).toBeUndefined();
    win.close();
    const saved = JSON.parse(readFileSync(path.join(userData, 'settings.json'), 'utf8')).windowBounds;
    expect(saved).toEqual({ x: 0, y: 0, width: 1440, height: 875, maximized: false });
  });

  it('on a display that is still there: where it was', async () => {
    const userData = mkdtempSync(path.join(tmpdir(), 'siberia-main-'));
    writeFileSync(
      path.join(userData, 'settings.json'),
      JSON.stringify({ windowBounds: { x: 1600, y: 100, width: 1400, height: 900, maximized: true } }),
    );
    const m = launchMain({
      userData,
      displays: [
        { x: 0, y: 0, width: 1440, height: 875 },
        { x: 1440, y: 0, width: 2560, height: 1415 },
      ],
    });
    const win = await m.ready();
    expect(win.options).toMatchObject({ x: 1600, y: 100, width: 1400, height: 900 });
    expect(win.isMaximized()).toBe(true);
  });
});
