// The real main bundle under the electron stand-in: start-up order, deep links by every route, the
// IPC sender check, navigation and window.open, the app:// protocol.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildElectronBundles, type LaunchedMain, launchMain, waitFor } from './main-harness';

beforeAll(() => void buildElectronBundles(), 60_000);

const stale = 'siberiamix://checkout/success?session_id=cs_test_1&state=s_unknown_state_000000';
const linkLogged = (m: LaunchedMain) =>
  m.logs().some((l) => l.text.includes('deep link with an unknown or stale state ignored'));

describe('main at start-up', () => {
  it('takes the single-instance lock, registers app:// and the scheme before ready, then opens one sandboxed window on app://', async () => {
    const m = launchMain();
    const before = m.electron.calls.map((c) => c.api);
    expect(before).toEqual([
      'app.requestSingleInstanceLock',
      'protocol.registerSchemesAsPrivileged',
      'app.setAsDefaultProtocolClient',
    ]);
    expect(m.electron.callsTo('app.setAsDefaultProtocolClient')[0]?.[0]).toBe('siberiamix');
    const win = await m.ready();
    expect(m.electron.windows).toHaveLength(1);
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(win.webContents.getURL()).toBe('app://siberia/index.html');
    await waitFor('the window shown', () => win.shown);
  });

  it('quits at once when another instance holds the lock, touching nothing else', () => {
    const m = launchMain({ lock: false });
    expect(m.electron.calls.map((c) => c.api)).toEqual(['app.requestSingleInstanceLock', 'app.quit']);
  });

  it('finds a deep link in argv after Chromium’s switches on a cold start and handles it once the page has loaded', async () => {
    const m = launchMain({
      argv: [
        '/opt/Siberia Mix/siberia-mix',
        '--no-sandbox',
        '--enable-features=WaylandWindowDecorations',
        stale,
      ],
    });
    expect(linkLogged(m)).toBe(false);
    await m.ready();
    await waitFor('the argv link handled', () => linkLogged(m));
  });

  it('queues an open-url that comes before ready (macOS), and prevents its default', async () => {
    const m = launchMain();
    let prevented = false;
    m.electron.app.emit('open-url', { preventDefault: () => (prevented = true) }, stale);
    expect(prevented).toBe(true);
    await m.ready();
    await waitFor('the early link handled', () => linkLogged(m));
  });

  it('takes a second instance’s link and brings the window back', async () => {
    const m = launchMain();
    const win = await m.ready();
    win.minimize();
    m.electron.app.emit('second-instance', {}, ['/opt/Siberia Mix/siberia-mix', '--no-sandbox', stale], '/');
    expect(win.isMinimized()).toBe(false);
    expect(win.focused).toBeGreaterThan(0);
    await waitFor('the second instance’s link handled', () => linkLogged(m));
  });

  it('refuses a malformed link and logs it', async () => {
    const m = launchMain();
    await m.ready();
    m.electron.app.emit('open-url', { preventDefault() {} }, 'siberiamix://checkout/success?state=<script>');
    await waitFor('the refusal logged', () => m.logs().some((l) => l.text.includes('deep link refused')));
  });
});

describe('main’s IPC', () => {
  it('answers our window’s main frame on app://', async () => {
    const m = launchMain();
    await m.ready();
    expect(await m.invoke('app.getInfo')).toMatchObject({ ok: true, value: { version: '0.1.0' } });
  });

  it('refuses a call from another web contents, a subframe, or our frame once it shows another origin', async () => {
    const m = launchMain();
    const win = await m.ready();
    const unauthorized = { ok: false, error: { code: 'unauthorized' } };
    const frame = win.webContents.mainFrame;
    expect(await m.invoke('app.getInfo', undefined, { sender: {}, senderFrame: frame })).toMatchObject(
      unauthorized,
    );
    expect(
      await m.invoke('app.getInfo', undefined, {
        sender: win.webContents,
        senderFrame: { url: 'app://siberia/index.html' },
      }),
    ).toMatchObject(unauthorized);
    expect(
      await m.invoke('app.getInfo', undefined, { sender: win.webContents, senderFrame: null }),
    ).toMatchObject(unauthorized);
    frame.url = 'https://evil.example/';
    expect(await m.invoke('app.getInfo')).toMatchObject(unauthorized);
    expect(m.logs().filter((l) => l.text.includes('unexpected sender'))).toHaveLength(4);
  });

  it('refuses input the contract refuses, changing nothing', async () => {
    const m = launchMain();
    await m.ready();
    expect(await m.invoke('app.setLocale', { locale: 'xx' })).toMatchObject({
      ok: false,
      error: { code: 'validation_error' },
    });
    expect(await m.invoke('app.getInfo')).toMatchObject({ ok: true, value: { locale: 'en' } });
  });
});

describe('the window stays on the renderer', () => {
  it('cancels navigation and redirects away from app://, and attaches no webview', async () => {
    const m = launchMain();
    const win = await m.ready();
    const attempt = (event: string, url: string) => {
      let prevented = false;
      win.webContents.emit(event, { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(attempt('will-navigate', 'app://siberia/index.html')).toBe(false);
    expect(attempt('will-attach-webview', 'app://siberia/index.html')).toBe(true);
  });

  it('opens no window: allowed Stripe and emulator pages go to the system browser, anything else nowhere', async () => {
    const m = launchMain({ checkoutOrigins: 'http://127.0.0.1:12111' });
    const win = await m.ready();
    const open = (url: string) =>
      win.webContents.windowOpenHandler?.({ url } as Parameters<
        NonNullable<typeof win.webContents.windowOpenHandler>
      >[0]);
    for (const url of [
      'https://checkout.stripe.com/c/pay/cs_1',
      'http://127.0.0.1:12111/p/session/1',
      'https://evil.example/',
      'javascript:alert(1)',
    ])
      expect(open(url)).toEqual({ action: 'deny' });
    expect(m.electron.callsTo('shell.openExternal').map((a) => a[0])).toEqual([
      'https://checkout.stripe.com/c/pay/cs_1',
      'http://127.0.0.1:12111/p/session/1',
    ]);
    expect(m.logs().filter((l) => l.text.includes('window.open refused'))).toHaveLength(2);
  });
});

describe('app://', () => {
  it('serves the renderer with the CSP and nothing outside it', async () => {
    const m = launchMain();
    await m.ready();
    const index = await m.fetchApp('app://siberia/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const url of [
      'app://siberia/%2e%2e/%2e%2e/package.json',
      'app://siberia/..%2f..%2fpackage.json',
      'app://siberia/%2e%2e%2felectron%2fmain.cjs',
      'app://other/index.html',
      'app://siberia/missing.js',
    ])
      expect((await m.fetchApp(url)).status, url).toBe(404);
  });
});
