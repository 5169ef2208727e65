// Loads the real main bundle (dist/electron/main.cjs, as esbuild builds it for the app) in this
// process with the electron stand-in and a keytar stand-in in require's cache, so index.ts runs as it
// does in Electron: its top-level code at load, its start-up at the stand-in's 'ready'.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { ipcChannel, type BridgeMethodName } from '../../contracts/bridge';
import type { KeychainPort } from '../../electron/main/services/credentials';
import { memoryKeychain } from '../host/node-ports';
import { createElectronStandIn, type StandInBrowserWindow, type StandInOptions } from './electron-stand-in';

const repo = path.resolve(import.meta.dirname, '..', '..');
// Resolves 'electron' and 'keytar' as main.cjs does from dist/electron.
const require = createRequire(path.join(repo, 'dist', 'electron', 'main.cjs'));
let bundles: { main: string; preload: string } | null = null;
const built: string[] = [];
// Registered while the importing test file is collected: its bundles go when its tests are done.
afterAll(() => {
  for (const dir of built.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * `npm run build:electron`, as `npm start` and packaging run it, into a folder of this test file's
 * own (so test files running side by side never read a bundle another is writing), laid out as in
 * dist/: electron/ beside renderer/ (the renderer build, which main serves from ../renderer).
 */
export function buildElectronBundles(): { main: string; preload: string } {
  // Inside the repository, so require('electron') from the bundle resolves to node_modules here.
  mkdirSync(path.join(repo, 'dist'), { recursive: true });
  // Folders of runs that were killed before their exit hook (older than an hour) go too.
  for (const old of readdirSync(path.join(repo, 'dist')).filter((d) => d.startsWith('harness-'))) {
    const full = path.join(repo, 'dist', old);
    if (Date.now() - statSync(full).mtimeMs > 3_600_000) rmSync(full, { recursive: true, force: true });
  }
  const dist = mkdtempSync(path.join(repo, 'dist', 'harness-'));
  built.push(dist);
  const outdir = path.join(dist, 'electron');
  const run = spawnSync('npm', ['run', '--silent', 'build:electron', '--', '--outdir', outdir], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`build:electron failed:\n${run.stdout}${run.stderr}`);
  mkdirSync(path.join(repo, 'dist', 'renderer'), { recursive: true });
  symlinkSync(path.join(repo, 'dist', 'renderer'), path.join(dist, 'renderer'), 'dir');
  bundles = { main: path.join(outdir, 'main.cjs'), preload: path.join(outdir, 'preload.cjs') };
  return bundles;
}

export type KeytarMode = 'memory' | 'unavailable' | 'missing';

function keytarStandIn(mode: KeytarMode | KeychainPort): Partial<KeychainPort> {
  if (typeof mode === 'object') return mode;
  if (mode === 'missing') return {};
  if (mode === 'unavailable') {
    // What keytar answers where no Secret Service runs (a headless session, a locked-down desktop).
    const fail = async (): Promise<never> => {
      throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
    };
    return { getPassword: fail, setPassword: fail, deletePassword: fail };
  }
  return memoryKeychain();
}

export function cacheModule(id: string, exports: unknown): void {
  const filename = require.resolve(id);
  require.cache[filename] = { id: filename, filename, loaded: true, exports } as NodeJS.Module;
}

export type LaunchOptions = Partial<StandInOptions> & {
  /** process.argv as the OS gives it (default: the packaged executable alone). */
  argv?: string[];
  /** The OS keychain keytar reaches: one kept across launches, or none. Default: a fresh one. */
  keytar?: KeytarMode | KeychainPort;
  serverUrl?: string;
  checkoutOrigins?: string;
  /** process.platform as main sees it when it loads (default: this machine's). */
  platform?: NodeJS.Platform;
};

export type LogLine = { level: 'info' | 'warn' | 'error'; text: string };

/** console lines main writes while launched ("[main] …"). */
const logs: LogLine[] = [];
for (const level of ['info', 'warn', 'error'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    const text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    if (text.startsWith('[main]')) logs.push({ level, text });
    else original(...args);
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false,
  ms = 5000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function launchMain(opts: LaunchOptions = {}) {
  const userData = opts.userData ?? mkdtempSync(path.join(tmpdir(), 'siberia-main-'));
  const electron = createElectronStandIn({ ...opts, userData });
  cacheModule('electron', electron.module);
  cacheModule('keytar', keytarStandIn(opts.keytar ?? 'memory'));
  if (!bundles) throw new Error('buildElectronBundles() first');
  const mainBundle = bundles.main;
  delete require.cache[mainBundle];

  const saved = { argv: process.argv, env: { ...process.env } };
  process.argv = opts.argv ?? ['/opt/Siberia Mix/siberia-mix'];
  // Nothing answers on the discard port: the server is unreachable unless a test says otherwise.
  process.env.SIBERIA_SERVER_URL = opts.serverUrl ?? 'http://127.0.0.1:9';
  process.env.SIBERIA_CHECKOUT_ORIGINS = opts.checkoutOrigins ?? '';
  delete process.env.SIBERIA_APP_SCHEME;
  delete process.env.APPIMAGE;
  const firstLog = logs.length;
  const platform = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor;
  if (opts.platform) Object.defineProperty(process, 'platform', { ...platform, value: opts.platform });
  try {
    require(mainBundle);
  } finally {
    process.argv = saved.argv;
    process.env = saved.env;
    Object.defineProperty(process, 'platform', platform);
  }

  const liveWindow = (): StandInBrowserWindow | undefined =>
    electron.windows.filter((w) => !w.isDestroyed()).at(-1);

  return {
    electron,
    userData,
    /** Lines main logged since this launch. */
    logs: () => logs.slice(firstLog),
    liveWindow,
    /** 'ready', then the window is made and its page loaded (did-finish-load). */
    async ready(): Promise<StandInBrowserWindow> {
      electron.ready();
      const win = await waitFor('the window', liveWindow);
      await waitFor('the page load', () => win.webContents.getURL() !== '');
      await new Promise((r) => setImmediate(r));
      return win;
    },
    /** An IPC call as the renderer's preload makes it; the sender defaults to the live window's main frame. */
    invoke(
      method: BridgeMethodName | string,
      input?: unknown,
      sender?: { sender: unknown; senderFrame: { url: string } | null },
    ): Promise<unknown> {
      const handler = electron.ipcHandlers.get(ipcChannel(method as BridgeMethodName));
      if (!handler) throw new Error(`main registered no handler for ${method}`);
      const win = liveWindow();
      const event = sender ?? { sender: win?.webContents, senderFrame: win?.webContents.mainFrame ?? null };
      return Promise.resolve(handler(event, input));
    },
    /** A request to the app:// protocol handler. */
    async fetchApp(url: string): Promise<Response> {
      const handler = electron.protocolHandlers.get('app');
      if (!handler) throw new Error('main registered no app:// handler');
      return handler(new Request(url));
    },
  };
}

export type LaunchedMain = ReturnType<typeof launchMain>;
