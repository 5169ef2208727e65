// A recording stand-in for the `electron` module, for loading the real dist/electron/main.cjs under
// Node. Each part is typed as a Pick of electron.d.ts's own interface, so a signature that changes
// in Electron fails the typecheck here; and each object answers only the members it implements (any
// other member throws "stand-in lacks …"), so main cannot start using something the harness fakes
// silently. Calls are recorded in order; events are emitted by the test.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type * as E from 'electron';

export type Call = { api: string; args: unknown[] };

// Events come from Node's EventEmitter (Electron's objects are EventEmitters too); their on/once
// return Electron's own class as `this`, which a stand-in cannot be, so they are left out of the
// Picks below and every other member is checked against electron.d.ts.

type AppStandIn = Pick<
  E.App,
  | 'whenReady'
  | 'isReady'
  | 'quit'
  | 'exit'
  | 'requestSingleInstanceLock'
  | 'releaseSingleInstanceLock'
  | 'setAsDefaultProtocolClient'
  | 'getPath'
  | 'getLocale'
  | 'getVersion'
  | 'isPackaged'
>;
type FrameStandIn = Pick<E.WebFrameMain, 'url'>;
type SessionStandIn = Pick<
  E.Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>;
type WebContentsStandIn = Pick<
  E.WebContents,
  'send' | 'setWindowOpenHandler' | 'reload' | 'isDestroyed' | 'getURL'
> & { session: SessionStandIn; mainFrame: FrameStandIn };
type WindowStandIn = Pick<
  E.BrowserWindow,
  | 'show'
  | 'focus'
  | 'restore'
  | 'isMinimized'
  | 'minimize'
  | 'maximize'
  | 'isMaximized'
  | 'isDestroyed'
  | 'getNormalBounds'
  | 'loadURL'
  | 'close'
  | 'destroy'
> & { webContents: WebContentsStandIn };
type IpcMainStandIn = Pick<E.IpcMain, 'handle'>;
type ProtocolStandIn = Pick<E.Protocol, 'registerSchemesAsPrivileged' | 'handle'>;
type ShellStandIn = Pick<E.Shell, 'openExternal'>;
type DialogStandIn = Pick<E.Dialog, 'showErrorBox' | 'showMessageBox' | 'showSaveDialog' | 'showOpenDialog'>;
type SafeStorageStandIn = Pick<
  E.SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;
type MenuStandIn = Pick<typeof E.Menu, 'setApplicationMenu' | 'buildFromTemplate'>;
type ScreenStandIn = Pick<E.Screen, 'getAllDisplays'>;

/** What main.cjs gets from require('electron'). */
export type ElectronModuleStandIn = {
  app: AppStandIn;
  BrowserWindow: new (options?: E.BrowserWindowConstructorOptions) => WindowStandIn;
  ipcMain: IpcMainStandIn;
  protocol: ProtocolStandIn;
  shell: ShellStandIn;
  dialog: DialogStandIn;
  safeStorage: SafeStorageStandIn;
  Menu: MenuStandIn;
  screen: ScreenStandIn;
  session: { defaultSession: SessionStandIn };
};

export type StandInOptions = {
  userData: string;
  /** What requestSingleInstanceLock answers (false: another instance runs). */
  lock?: boolean;
  /** safeStorage.isAsyncEncryptionAvailable(). */
  encryption?: boolean;
  /** The work areas of the displays screen.getAllDisplays() reports. */
  displays?: E.Rectangle[];
  locale?: string;
  /** app.isPackaged (default false: a development run). */
  packaged?: boolean;
};

/** Only the members an object implements may be read; anything else is a harness gap, said loudly. */
function strict<T extends object>(name: string, target: T): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      if (typeof key === 'symbol' || key in obj || key === 'then' || key === 'toJSON')
        return Reflect.get(obj, key, receiver);
      throw new TypeError(`electron stand-in lacks ${name}.${key}`);
    },
  });
}

class Destroyed extends Error {
  constructor() {
    super('Object has been destroyed');
  }
}

export function createElectronStandIn(opts: StandInOptions) {
  const calls: Call[] = [];
  const record = (api: string, ...args: unknown[]) => {
    calls.push({ api, args });
  };
  let ready = false;
  let resolveReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const windows: StandInWindow[] = [];
  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  /** Answers for showMessageBox, in order; default 0 (the first button). */
  const messageBoxAnswers: number[] = [];
  /** Pending answers of the save dialog: the test resolves them. */
  const saveDialogs: Array<(path: string | null) => void> = [];
  /** Answers for showOpenDialog, in order (the paths chosen); none left: the user cancels. */
  const openDialogAnswers: string[][] = [];
  const exits: number[] = [];

  class StandInApp extends EventEmitter implements AppStandIn {
    isPackaged = opts.packaged ?? false;
    whenReady(): Promise<void> {
      return readyPromise;
    }
    isReady(): boolean {
      return ready;
    }
    quit(): void {
      record('app.quit');
      let prevented = false;
      this.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (prevented) return;
      for (const w of windows) if (!w.isDestroyed()) w.close();
      this.emit('will-quit', { preventDefault() {} });
      this.emit('quit', { preventDefault() {} }, 0);
    }
    exit(exitCode?: number): void {
      record('app.exit', exitCode);
      exits.push(exitCode ?? 0);
    }
    requestSingleInstanceLock(): boolean {
      record('app.requestSingleInstanceLock');
      return opts.lock ?? true;
    }
    releaseSingleInstanceLock(): void {
      record('app.releaseSingleInstanceLock');
    }
    setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
      record('app.setAsDefaultProtocolClient', protocol, path, args);
      return true;
    }
    getPath(name: Parameters<E.App['getPath']>[0]): string {
      if (name === 'userData') return opts.userData;
      if (name === 'documents') return `${opts.userData}/Documents`;
      if (name === 'logs') return `${opts.userData}/logs`;
      throw new TypeError(`electron stand-in has no path "${name}"`);
    }
    getLocale(): string {
      return opts.locale ?? 'en-US';
    }
    getVersion(): string {
      return '0.1.0';
    }
  }
  const app = strict('app', new StandInApp());

  class StandInSession extends EventEmitter implements SessionStandIn {
    requestHandler: Parameters<E.Session['setPermissionRequestHandler']>[0] = null;
    checkHandler: Parameters<E.Session['setPermissionCheckHandler']>[0] = null;
    deviceHandler: Parameters<E.Session['setDevicePermissionHandler']>[0] = null;
    setPermissionRequestHandler(handler: Parameters<E.Session['setPermissionRequestHandler']>[0]): void {
      this.requestHandler = handler;
    }
    setPermissionCheckHandler(handler: Parameters<E.Session['setPermissionCheckHandler']>[0]): void {
      this.checkHandler = handler;
    }
    setDevicePermissionHandler(handler: Parameters<E.Session['setDevicePermissionHandler']>[0]): void {
      this.deviceHandler = handler;
    }
  }
  // One session for every window, as Electron's default session.
  const session = new StandInSession();

  class StandInWebContents extends EventEmitter implements WebContentsStandIn {
    readonly session = strict('session', session);
    readonly mainFrame = { url: '' };
    destroyed = false;
    windowOpenHandler: Parameters<E.WebContents['setWindowOpenHandler']>[0] | null = null;
    sent: Array<{ channel: string; payload: unknown }> = [];
    send(channel: string, ...args: unknown[]): void {
      if (this.destroyed) throw new Destroyed();
      this.sent.push({ channel, payload: args[0] });
    }
    setWindowOpenHandler(handler: Parameters<E.WebContents['setWindowOpenHandler']>[0]): void {
      this.windowOpenHandler = handler;
    }
    reload(): void {
      if (this.destroyed) throw new Destroyed();
      record('webContents.reload');
      this.load(this.mainFrame.url);
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    getURL(): string {
      return this.mainFrame.url;
    }
    /** As a page load: the main frame shows the URL, then did-finish-load. */
    load(url: string): void {
      this.mainFrame.url = url;
      setImmediate(() => {
        if (!this.destroyed) this.emit('did-finish-load', { preventDefault() {} });
      });
    }
  }

  class StandInWindow extends EventEmitter implements WindowStandIn {
    readonly webContents: StandInWebContents;
    destroyed = false;
    minimized = false;
    maximized = false;
    shown = false;
    focused = 0;
    constructor(readonly options: E.BrowserWindowConstructorOptions = {}) {
      super();
      if (!ready) throw new Error('Cannot create BrowserWindow before app is ready');
      record('BrowserWindow', options);
      this.webContents = strict('webContents', new StandInWebContents());
      windows.push(this);
      // biome-ignore lint/correctness/noConstructorReturn: the strict view of this very window
      return strict('BrowserWindow', this);
    }
    private alive(): void {
      if (this.destroyed) throw new Destroyed();
    }
    show(): void {
      this.alive();
      this.shown = true;
    }
    focus(): void {
      this.alive();
      this.focused++;
    }
    restore(): void {
      this.alive();
      this.minimized = false;
    }
    isMinimized(): boolean {
      this.alive();
      return this.minimized;
    }
    minimize(): void {
      this.alive();
      this.minimized = true;
    }
    maximize(): void {
      this.alive();
      this.maximized = true;
    }
    isMaximized(): boolean {
      this.alive();
      return this.maximized;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    getNormalBounds(): E.Rectangle {
      this.alive();
      const o = this.options;
      return { x: o.x ?? 0, y: o.y ?? 0, width: o.width ?? 800, height: o.height ?? 600 };
    }
    loadURL(url: string): Promise<void> {
      this.alive();
      record('BrowserWindow.loadURL', url);
      this.webContents.load(url);
      setImmediate(() => {
        if (!this.destroyed) this.emit('ready-to-show', { preventDefault() {} });
      });
      return Promise.resolve();
    }
    close(): void {
      if (this.destroyed) return;
      let prevented = false;
      this.emit('close', { preventDefault: () => (prevented = true) });
      if (!prevented) this.destroy();
    }
    destroy(): void {
      if (this.destroyed) return;
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
      if (windows.every((w) => w.destroyed)) app.emit('window-all-closed');
    }
  }

  const ipcMain: IpcMainStandIn = {
    handle(channel, listener) {
      if (ipcHandlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      ipcHandlers.set(channel, listener as (event: unknown, ...args: unknown[]) => unknown);
    },
  };

  const protocol: ProtocolStandIn = {
    registerSchemesAsPrivileged(customSchemes) {
      if (ready) throw new Error('registerSchemesAsPrivileged should be called before app is ready');
      record('protocol.registerSchemesAsPrivileged', customSchemes);
    },
    handle(scheme, handler) {
      if (!ready) throw new Error('protocol.handle should be called after app is ready');
      protocolHandlers.set(scheme, handler as (request: Request) => Response | Promise<Response>);
    },
  };

  const shell: ShellStandIn = {
    async openExternal(url) {
      record('shell.openExternal', url);
    },
  };

  const dialog: DialogStandIn = {
    showErrorBox(title, content) {
      record('dialog.showErrorBox', title, content);
    },
    async showMessageBox(...args: unknown[]) {
      const options = (args.length > 1 ? args[1] : args[0]) as E.MessageBoxOptions;
      record('dialog.showMessageBox', options);
      return { response: messageBoxAnswers.shift() ?? 0, checkboxChecked: false };
    },
    async showSaveDialog(...args: unknown[]) {
      record('dialog.showSaveDialog', args.length > 1 ? args[1] : args[0]);
      const filePath = await new Promise<string | null>((resolve) => saveDialogs.push(resolve));
      return filePath ? { canceled: false, filePath } : { canceled: true, filePath: '' };
    },
    async showOpenDialog(...args: unknown[]) {
      record('dialog.showOpenDialog', args.length > 1 ? args[1] : args[0]);
      const filePaths = openDialogAnswers.shift();
      return filePaths ? { canceled: false, filePaths } : { canceled: true, filePaths: [] };
    },
  } as DialogStandIn;

  // Real AES-GCM under a key of this user (of this userData), as the OS-backed encryption would be:
  // the next launch decrypts what this one encrypted.
  const key = createHash('sha256').update(opts.userData).digest();
  const safeStorage: SafeStorageStandIn = {
    isAsyncEncryptionAvailable: async () => opts.encryption ?? true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    async encryptStringAsync(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      return Buffer.concat([iv, c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
    },
    async decryptStringAsync(blob) {
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      d.setAuthTag(blob.subarray(blob.length - 16));
      const result = Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]).toString(
        'utf8',
      );
      return { result, shouldReEncrypt: false };
    },
  };

  const Menu = {
    setApplicationMenu(menu: E.Menu | null) {
      record('Menu.setApplicationMenu', menu);
    },
    buildFromTemplate(template: Array<E.MenuItemConstructorOptions | E.MenuItem>) {
      return { items: template } as unknown as E.Menu;
    },
  } satisfies MenuStandIn;

  const screen: ScreenStandIn = {
    getAllDisplays: () =>
      (opts.displays ?? [{ x: 0, y: 0, width: 1920, height: 1080 }]).map(
        (workArea, id) => ({ id, workArea, bounds: workArea }) as E.Display,
      ),
  };

  const module: ElectronModuleStandIn = {
    app,
    BrowserWindow: StandInWindow,
    ipcMain: strict('ipcMain', ipcMain),
    protocol: strict('protocol', protocol),
    shell: strict('shell', shell),
    dialog: strict('dialog', dialog),
    safeStorage: strict('safeStorage', safeStorage),
    Menu: strict('Menu', Menu),
    screen: strict('screen', screen),
    session: strict('session', { defaultSession: strict('defaultSession', session) }),
  };

  return {
    module: strict('electron', module),
    app,
    session,
    calls,
    windows,
    ipcHandlers,
    protocolHandlers,
    messageBoxAnswers,
    saveDialogs,
    openDialogAnswers,
    exits,
    /** Electron's 'ready': whenReady() resolves. */
    ready() {
      ready = true;
      resolveReady();
    },
    /** The calls to one API, by name ("dialog.showErrorBox"). */
    callsTo: (api: string) => calls.filter((c) => c.api === api).map((c) => c.args),
  };
}

export type ElectronStandIn = ReturnType<typeof createElectronStandIn>;
export type StandInBrowserWindow = ElectronStandIn['windows'][number];

type ContextBridgeStandIn = Pick<E.ContextBridge, 'exposeInMainWorld'>;
type IpcRendererStandIn = Pick<E.IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

/** The preload's side of electron: what it exposes to the page, what it sends to main. */
export function createPreloadStandIn() {
  const exposed = new Map<string, unknown>();
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  const listeners = new EventEmitter();
  const contextBridge: ContextBridgeStandIn = {
    exposeInMainWorld(apiKey, api) {
      exposed.set(apiKey, api);
    },
  };
  const ipcRenderer: IpcRendererStandIn = {
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      return { ok: true, value: null };
    },
    on(channel, listener) {
      listeners.on(channel, listener);
      return ipcRenderer as E.IpcRenderer;
    },
    removeListener(channel, listener) {
      listeners.removeListener(channel, listener);
      return ipcRenderer as E.IpcRenderer;
    },
  };
  return {
    module: strict('electron', {
      contextBridge: strict('contextBridge', contextBridge),
      ipcRenderer: strict('ipcRenderer', ipcRenderer),
    }),
    exposed,
    invoked,
    /** main's webContents.send, as the page's preload receives it. */
    deliver: (channel: string, payload: unknown) => listeners.emit(channel, {}, payload),
    listenerCount: (channel: string) => listeners.listenerCount(channel),
  };
}
