// Electron's edge: the only main-process file that imports 'electron' at run time. It backs the
// services' ports with Electron objects and wires app events to them; the decisions live in services.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  type IpcMainInvokeEvent,
  ipcMain,
  protocol,
  safeStorage,
  shell,
} from 'electron';
import Store from 'electron-store';
import { ipcChannel } from '../../contracts/bridge';
import { DEFAULT_APP_SCHEME, findDeepLinkInArgv } from '../../contracts/deeplink';
import { linuxDesktopFileName, linuxSchemeDesktopEntry } from './desktop-entry';
import { ipcRoutes } from './ipc/dispatch';
import { loadKeytar } from './keychain';
import { createMainServices, type MainServices } from './main-services';
import type { EventSink, Logger } from './ports';
import { nodeFiles } from './node-files';
import { APP_HOST, APP_ORIGIN, APP_PROTOCOL, isAppUrl, serveRendererFile } from './renderer-files';
import { allowedOrigins, isAllowedUrl } from './services/external-links';

const scheme = process.env.SIBERIA_APP_SCHEME ?? DEFAULT_APP_SCHEME;
const serverUrl = process.env.SIBERIA_SERVER_URL ?? 'http://127.0.0.1:8787';
/** Emulator origins for checkout and portal pages, for development and end-to-end runs. */
const checkoutOrigins = (process.env.SIBERIA_CHECKOUT_ORIGINS ?? '')
  .split(',')
  .map((o) => o.trim())
  .filter(Boolean);
const rendererDir = path.join(__dirname, '..', 'renderer');

const logger: Logger = {
  info: (msg, data) => console.info(`[main] ${msg}`, data ?? ''),
  warn: (msg, data) => console.warn(`[main] ${msg}`, data ?? ''),
  error: (msg, data) => console.error(`[main] ${msg}`, data ?? ''),
};

// One instance: a second launch (e.g. the browser opening a deep link) hands its argv to the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  run();
}

function run(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_PROTOCOL,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
    },
  ]);

  let window: BrowserWindow | null = null;
  let main: MainServices | null = null;
  // Links can arrive before the services exist (macOS open-url before ready).
  const early: Array<{ url: string; via: string }> = [];
  const receive = (url: string | null, via: string) => {
    if (!url) return;
    if (main) void main.deepLinks.receive(url, via);
    else early.push({ url, via });
  };

  app.on('open-url', (event, url) => {
    event.preventDefault();
    receive(url, 'open-url');
  });
  app.on('second-instance', (_event, argv) => {
    receive(findDeepLinkInArgv(argv, scheme), 'second-instance');
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  receive(findDeepLinkInArgv(process.argv, scheme), 'argv');
  registerScheme();

  const emit: EventSink = (event, payload) => {
    if (window && !window.isDestroyed()) window.webContents.send(ipcChannel(event), payload);
  };

  void app.whenReady().then(async () => {
    const store = new Store<Record<string, unknown>>({ name: 'settings' });
    main = createMainServices({
      store: {
        get: (key) => store.get(key),
        set: (key, value) => store.set(key, value),
        delete: (key) => store.delete(key),
      },
      keychain: await loadKeytar(),
      safeStorage: {
        isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
        encryptString: (plain) => safeStorage.encryptString(plain),
        decryptString: (blob) => safeStorage.decryptString(blob),
        getSelectedStorageBackend:
          process.platform === 'linux' ? () => safeStorage.getSelectedStorageBackend() : undefined,
      },
      emit,
      openExternal: (url) => shell.openExternal(url),
      dialogs: {
        async save(suggestedName) {
          const options = { defaultPath: path.join(app.getPath('documents'), suggestedName) };
          const r = window
            ? await dialog.showSaveDialog(window, options)
            : await dialog.showSaveDialog(options);
          return r.canceled || !r.filePath ? null : r.filePath;
        },
        async open() {
          const options = {
            properties: ['openFile' as const],
            filters: [{ name: 'Siberia Mix project', extensions: ['siberia'] }],
          };
          const r = window
            ? await dialog.showOpenDialog(window, options)
            : await dialog.showOpenDialog(options);
          return r.canceled ? null : (r.filePaths[0] ?? null);
        },
      },
      files: nodeFiles,
      dataDir: app.getPath('userData'),
      defaults: { serverUrl, locale: app.getLocale().startsWith('fr') ? 'fr' : 'en' },
      checkoutOrigins,
      appInfo: { version: app.getVersion(), platform: process.platform },
      deviceName: os.hostname().slice(0, 64),
      scheme,
      logger,
    });
    for (const link of early.splice(0)) void main.deepLinks.receive(link.url, link.via);

    protocol.handle(APP_PROTOCOL, async (request) => {
      const url = new URL(request.url);
      if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
      const r = await serveRendererFile(rendererDir, url.pathname);
      return new Response(r.body as BodyInit, { status: r.status, headers: r.headers });
    });

    const services = main;
    // Every handler checks that the call comes from our window's main frame on our origin.
    const senderAllowed = (event: IpcMainInvokeEvent): boolean =>
      window !== null &&
      event.sender === window.webContents &&
      event.senderFrame !== null &&
      event.senderFrame === window.webContents.mainFrame &&
      isAppUrl(event.senderFrame.url);
    for (const { channel, method } of ipcRoutes) {
      ipcMain.handle(channel, (event, input: unknown) =>
        services.dispatch(method, input, senderAllowed(event)),
      );
    }

    window = createWindow(services);
    await services.start();
  });

  app.on('window-all-closed', () => app.quit());
  // Renders under way give their reservations back before the app goes (a few seconds at most:
  // an unanswered release lapses on the server by itself).
  let leaving = false;
  app.on('before-quit', (event) => {
    if (leaving || !main) return;
    leaving = true;
    event.preventDefault();
    const services = main;
    void Promise.race([services.shutdown(), new Promise((r) => setTimeout(r, 3000))]).finally(() =>
      app.quit(),
    );
  });
}

function createWindow(main: MainServices): BrowserWindow {
  const bounds = main.settings.windowBounds();
  const win = new BrowserWindow({
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 800,
    x: bounds?.x,
    y: bounds?.y,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Siberia Mix',
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (bounds?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.webContents.on('did-finish-load', () => void main.deepLinks.windowReady());
  win.on('focus', () => void main.onFocus());
  win.on('close', () => {
    const b = win.getNormalBounds();
    main.settings.setWindowBounds({ ...b, maximized: win.isMaximized() });
  });

  const contents = win.webContents;
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // New windows never open; links to Stripe's pages (or the configured emulator) go to the browser.
  contents.setWindowOpenHandler(({ url }) => {
    const origins = [...allowedOrigins('checkout', checkoutOrigins), ...allowedOrigins('portal', [])];
    if (isAllowedUrl(url, origins)) void shell.openExternal(url);
    else logger.warn('window.open refused', { url: url.slice(0, 200) });
    return { action: 'deny' };
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

/** Makes this app the handler of siberiamix:// links, in packaged and development runs. */
function registerScheme(): void {
  if (process.defaultApp && process.argv[1]) {
    app.setAsDefaultProtocolClient(scheme, process.execPath, [path.resolve(process.argv[1])]);
  } else {
    app.setAsDefaultProtocolClient(scheme);
  }
  const appImage = process.env.APPIMAGE;
  if (process.platform === 'linux' && appImage) {
    const dir = path.join(
      process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'),
      'applications',
    );
    const name = linuxDesktopFileName(scheme);
    void mkdir(dir, { recursive: true })
      .then(() => writeFile(path.join(dir, name), linuxSchemeDesktopEntry(appImage, scheme)))
      .then(() => {
        execFile('xdg-mime', ['default', name, `x-scheme-handler/${scheme}`], () => {});
        execFile('update-desktop-database', [dir], () => {});
      })
      .catch((e: unknown) => logger.warn('desktop entry not written', { error: String(e) }));
  }
}
