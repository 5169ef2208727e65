// Electron's edge: the only main-process file that imports 'electron' at run time. It backs the
// services' ports with Electron objects and wires app events to them; the decisions live in the
// services and in the small modules beside this file (trust checks, start-up, recovery, window).
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
  Menu,
  protocol,
  type Session,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import { ipcChannel } from '../../contracts/bridge';
import { DEFAULT_APP_SCHEME, findDeepLinkInArgv } from '../../contracts/deeplink';
import { linuxDesktopFileName, linuxSchemeDesktopEntry } from './desktop-entry';
import { ipcRoutes } from './ipc/dispatch';
import { loadKeytar } from './keychain';
import { createMainServices, type MainServices } from './main-services';
import type { EventSink, Logger } from './ports';
import { nodeFiles } from './node-files';
import { openSettings, settingsResetMessage } from './settings-file';
import { startupFailureText } from './startup-failure';
import { APP_HOST, APP_ORIGIN, APP_PROTOCOL, serveRendererFile } from './renderer-files';
import { appMenuTemplate } from './app-menu';
import { createNavigationPolicy } from './navigation-policy';
import { permissionAllowed } from './permissions';
import { type RecoveryPrompt, rendererGonePrompt, rendererUnresponsivePrompt } from './renderer-recovery';
import { placeWindow } from './window-bounds';
import { isTrustedSender } from './trusted-sender';

const scheme = process.env.SIBERIA_APP_SCHEME ?? DEFAULT_APP_SCHEME;
const serverUrl = process.env.SIBERIA_SERVER_URL ?? 'http://127.0.0.1:8787';
/** Emulator origins for checkout and portal pages, for development and end-to-end runs. */
const checkoutOrigins = (process.env.SIBERIA_CHECKOUT_ORIGINS ?? '')
  .split(',')
  .map((o) => o.trim())
  .filter(Boolean);
const rendererDir = path.join(__dirname, '..', 'renderer');
const platform = process.platform;

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
  let quitting = false;
  // Links wait for this too: a return link on a cold start needs the account signed back in.
  let started: Promise<void> = new Promise(() => {});
  // Links can arrive before the services exist (macOS open-url before ready).
  const early: Array<{ url: string; via: string }> = [];
  const receive = (url: string | null, via: string) => {
    if (!url) return;
    if (main) void main.deepLinks.receive(url, via);
    else early.push({ url, via });
  };
  /** A link or a second launch brings the window back, making it again if it was closed. */
  const showWindow = () => {
    if (!main || quitting) return;
    if (!window) window = createWindow(main, started, () => (window = null));
    if (window.isMinimized()) window.restore();
    window.focus();
  };

  app.on('open-url', (event, url) => {
    event.preventDefault();
    receive(url, 'open-url');
    showWindow();
  });
  app.on('second-instance', (_event, argv) => {
    receive(findDeepLinkInArgv(argv, scheme), 'second-instance');
    showWindow();
  });
  receive(findDeepLinkInArgv(process.argv, scheme), 'argv');
  registerScheme();

  const emit: EventSink = (event, payload) => {
    if (window && !window.isDestroyed()) window.webContents.send(ipcChannel(event), payload);
  };

  const start = async () => {
    const userData = app.getPath('userData');
    const settingsFile = openSettings(userData);
    main = createMainServices({
      store: settingsFile.store,
      keychain: await loadKeytar(),
      safeStorage: {
        isEncryptionAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
        encryptString: (plain) => safeStorage.encryptStringAsync(plain),
        decryptString: async (blob) => (await safeStorage.decryptStringAsync(blob)).result,
        getSelectedStorageBackend:
          platform === 'linux' ? () => safeStorage.getSelectedStorageBackend() : undefined,
      },
      emit,
      openExternal: (url) => shell.openExternal(url),
      dialogs: {
        async save(suggestedName, _kind, filter) {
          const options = {
            defaultPath: path.join(app.getPath('documents'), suggestedName),
            ...(filter ? { filters: [filter] } : {}),
          };
          const r = window
            ? await dialog.showSaveDialog(window, options)
            : await dialog.showSaveDialog(options);
          return r.canceled || !r.filePath ? null : r.filePath;
        },
        async open(kind = 'project') {
          const options = {
            properties: ['openFile' as const],
            filters:
              kind === 'audio'
                ? [
                    {
                      name: 'Audio',
                      extensions: [
                        'wav',
                        'wave',
                        'aif',
                        'aiff',
                        'aifc',
                        'flac',
                        'mp3',
                        'ogg',
                        'oga',
                        'opus',
                        'm4a',
                      ],
                    },
                  ]
                : [{ name: 'Siberia Mix project', extensions: ['siberia'] }],
          };
          const r = window
            ? await dialog.showOpenDialog(window, options)
            : await dialog.showOpenDialog(options);
          return r.canceled ? null : (r.filePaths[0] ?? null);
        },
        async folder(suggestedName) {
          // The stems go into a new folder inside the one chosen, named after the song.
          const options = {
            title: suggestedName,
            defaultPath: app.getPath('documents'),
            properties: ['openDirectory' as const, 'createDirectory' as const],
          };
          const r = window
            ? await dialog.showOpenDialog(window, options)
            : await dialog.showOpenDialog(options);
          return r.canceled ? null : (r.filePaths[0] ?? null);
        },
      },
      files: nodeFiles,
      dataDir: userData,
      defaults: { serverUrl, locale: app.getLocale().startsWith('fr') ? 'fr' : 'en' },
      checkoutOrigins,
      appInfo: { version: app.getVersion(), platform },
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

    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate({ platform, packaged: app.isPackaged })));
    guardSession(session.defaultSession);
    const services = main;
    const senderAllowed = (event: IpcMainInvokeEvent): boolean =>
      isTrustedSender(
        { contents: event.sender, frame: event.senderFrame, frameUrl: event.senderFrame?.url ?? null },
        window && {
          contents: window.webContents,
          mainFrame: window.webContents.mainFrame,
          origin: APP_ORIGIN,
        },
      );
    for (const { channel, method } of ipcRoutes) {
      ipcMain.handle(channel, (event, input: unknown) =>
        services.dispatch(method, input, senderAllowed(event)),
      );
    }

    started = services.start();
    showWindow();
    if (settingsFile.setAside) {
      logger.warn('settings file unreadable: set aside, starting with defaults', {
        aside: settingsFile.setAside,
      });
      const { message, detail } = settingsResetMessage(settingsFile.setAside);
      void dialog.showMessageBox({ type: 'warning', title: 'Siberia Mix', message, detail, buttons: ['OK'] });
    }
    await started;
  };

  // Any start-up error is shown, then the app exits and gives up the single-instance lock, so the
  // next launch (or the next deep link) starts afresh instead of reaching an invisible process.
  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      logger.error('start-up failed', { error: String(error) });
      const { title, content } = startupFailureText(error, app.getPath('userData'));
      dialog.showErrorBox(title, content);
      app.releaseSingleInstanceLock();
      app.exit(1);
    });

  // Renders under way give their reservations back before the app goes (a few seconds at most:
  // an unanswered release lapses on the server by itself).
  let leaving = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (leaving || !main) return;
    leaving = true;
    event.preventDefault();
    const services = main;
    void Promise.race([services.shutdown(), new Promise((r) => setTimeout(r, 3000))]).finally(() =>
      app.quit(),
    );
  });
  app.on('will-quit', () => main?.stop());
  // macOS apps stay running without a window (a link or the Dock brings one back); elsewhere
  // closing the window quits.
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });
  app.on('activate', showWindow);
}

/** Web permissions and devices: the renderer gets only what permissions.ts allows, and no device. */
function guardSession(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl ?? '')),
  );
  ses.setPermissionCheckHandler((_wc, permission, origin) => permissionAllowed(permission, origin));
  ses.setDevicePermissionHandler(() => false);
  const noDevice = (event: { preventDefault(): void }, _details: unknown, callback: (id: string) => void) => {
    event.preventDefault();
    callback('');
  };
  ses.on('select-hid-device', noDevice);
  ses.on('select-usb-device', noDevice);
  ses.on('select-serial-port', (event, _ports, _wc, callback) => noDevice(event, null, callback));
}

function createWindow(main: MainServices, started: Promise<void>, onClosed: () => void): BrowserWindow {
  const saved = main.settings.windowBounds();
  const place = placeWindow(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...place,
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
  if (saved?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.webContents.on('did-finish-load', () => void started.then(() => main.deepLinks.windowReady()));
  win.on('focus', () => void main.onFocus());
  win.on('close', () => {
    const b = win.getNormalBounds();
    main.settings.setWindowBounds({ ...b, maximized: win.isMaximized() });
  });
  // A closed window is destroyed: nothing may use it afterwards.
  win.on('closed', onClosed);

  const contents = win.webContents;
  const policy = createNavigationPolicy(main.allowList);
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (!policy.mayNavigate(url)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const { action, openExternally } = policy.windowOpen(url);
    if (openExternally) void shell.openExternal(url);
    else logger.warn('window.open refused', { url: url.slice(0, 200) });
    return { action };
  });

  // A renderer that crashed, was killed for memory or hangs would leave a blank or frozen window.
  const offer = async (prompt: RecoveryPrompt, otherwise: () => void) => {
    const { response } = await dialog.showMessageBox(win, {
      type: prompt.type,
      title: 'Siberia Mix',
      message: prompt.message,
      detail: prompt.detail,
      buttons: prompt.buttons,
      defaultId: prompt.reload,
      noLink: true,
    });
    if (win.isDestroyed()) return;
    if (response === prompt.reload) {
      // The reloaded page starts afresh: what the old one was rendering is given back first.
      await main.pageGone();
      contents.reload();
    } else otherwise();
  };
  contents.on('render-process-gone', (_event, details) => {
    // Its renders died with it: their reservations and unfinished files go now, not at quit.
    void main.pageGone();
    const prompt = rendererGonePrompt(details.reason);
    if (!prompt) return;
    logger.error('renderer gone', { reason: details.reason, exitCode: details.exitCode });
    void offer(prompt, () => app.quit());
  });
  win.on('unresponsive', () => {
    logger.warn('renderer unresponsive');
    void offer(rendererUnresponsivePrompt(), () => {});
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
  if (platform === 'linux' && appImage) {
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
