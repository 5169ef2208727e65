// The browser shell: the desktop app's renderer in an ordinary browser, for machines without the
// Electron binary (`npm start` opens it there, labelled as a preview) and for the end-to-end tests.
// It runs the same main-process services and IPC dispatch table as Electron's main under Node and
// serves the same app:// files with the same CSP over HTTP on 127.0.0.1. What Electron gives main,
// Node gives here: the settings file, keytar, the system browser; dialogs have no window to open
// in, so renders are saved into DATA/exports. A page reaches the bridge over HTTP (calls POSTed,
// events as server-sent events), accepted only from the shell's own origin and host, as Electron's
// main accepts IPC only from its window's main frame.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { text } from 'node:stream/consumers';
import { type BridgeEventName, bridgeNames } from '../contracts/bridge';
import { loadKeytar } from '../electron/main/keychain';
import { createMainServices, type MainServices } from '../electron/main/main-services';
import { nodeFiles } from '../electron/main/node-files';
import type { Dialogs, ExternalOpener, Logger } from '../electron/main/ports';
import { isAppUrl, serveRendererFile } from '../electron/main/renderer-files';
import type { KeychainPort } from '../electron/main/services/credentials';
import { confStore } from '../electron/main/settings-file';
import { decodeBytes, encodeBytes } from './bytes-json';
import { bundlePageScript } from './page-script';

export type BrowserShellOptions = {
  serverUrl: string;
  /** Settings, autosave and exports live here. */
  dataDir: string;
  /** Origins besides Stripe's that checkout and portal pages may have (the emulator). */
  checkoutOrigins?: string[];
  /** Default: dist/renderer. */
  rendererDir?: string;
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
  /** Serve window.siberia over HTTP to the page (a real browser). Off when the caller brings its own. */
  httpBridge?: boolean;
  /** Default: the OS keychain through keytar; without it, credentials last for this run only. */
  keychain?: KeychainPort | null;
  /** Default: the system browser. */
  openExternal?: ExternalOpener;
  /** Default: renders saved into dataDir/exports, no project to open. */
  dialogs?: Dialogs;
  locale?: 'en' | 'fr';
  deviceId?: string;
  logger?: Logger;
};

export type EventSinkFn = (event: BridgeEventName, payload: unknown) => void;

export type BrowserShell = {
  /** http://127.0.0.1:PORT/ */
  url: string;
  origin: string;
  services: MainServices;
  /** Receives every bridge event main emits (the HTTP bridge's pages get them anyway). */
  addSink(sink: EventSinkFn): () => void;
  stop(): Promise<void>;
};

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
/** Uploads of renders cross the bridge as base64 JSON: a long stereo master is tens of megabytes. */
const MAX_BODY = 1024 * 1024 * 1024;

export const PREVIEW_LABEL = 'Browser preview of Siberia Mix — the desktop app runs in Electron.';

/** The system browser, as shell.openExternal would open it. */
export function systemBrowser(logger?: Logger): ExternalOpener {
  return async (url) => {
    const [cmd, args] =
      process.platform === 'darwin'
        ? ['open', [url]]
        : process.platform === 'win32'
          ? ['cmd', ['/c', 'start', '""', url]]
          : ['xdg-open', [url]];
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', (e) =>
      logger?.warn('the system browser could not be opened', { url, error: String(e) }),
    );
    child.unref();
  };
}

function pageScript(exportsDir: string): Promise<string> {
  return bundlePageScript(path.join(here, 'page-bridge.ts'), {
    SIBERIA_BRIDGE_NAMES: JSON.stringify(bridgeNames),
    SIBERIA_PREVIEW_LABEL: JSON.stringify(`${PREVIEW_LABEL} Exports are saved to ${exportsDir}.`),
  });
}

/** The request's body, refused unless it says its length and stays under the limit. */
async function readBody(req: IncomingMessage): Promise<string> {
  const length = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(length) || length > MAX_BODY) throw new Error('body length missing or too large');
  return text(req);
}

export async function startBrowserShell(opts: BrowserShellOptions): Promise<BrowserShell> {
  const rendererDir = opts.rendererDir ?? path.join(repoRoot, 'dist', 'renderer');
  const exportsDir = path.join(opts.dataDir, 'exports');
  mkdirSync(opts.dataDir, { recursive: true });
  const store = confStore(opts.dataDir);
  if (opts.deviceId) store.set('deviceId', opts.deviceId);
  if (opts.locale) store.set('locale', opts.locale);

  const sinks = new Set<EventSinkFn>();
  const streams = new Set<ServerResponse>();
  const main = createMainServices({
    store,
    keychain: opts.keychain === undefined ? await loadKeytar() : opts.keychain,
    safeStorage: null,
    emit: (event, payload) => {
      for (const sink of sinks) sink(event, payload);
      for (const res of streams) res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    },
    openExternal: opts.openExternal ?? systemBrowser(opts.logger),
    dialogs: opts.dialogs ?? {
      save: async (name) => {
        mkdirSync(exportsDir, { recursive: true });
        return path.join(exportsDir, path.basename(name));
      },
      open: async () => null,
      folder: async () => {
        mkdirSync(exportsDir, { recursive: true });
        return exportsDir;
      },
    },
    files: nodeFiles,
    dataDir: opts.dataDir,
    defaults: { serverUrl: opts.serverUrl, locale: opts.locale },
    checkoutOrigins: opts.checkoutOrigins ?? [],
    appInfo: { version: '0.0.0-browser-shell', platform: process.platform },
    logger: opts.logger,
  });
  main.settings.setServerUrl(opts.serverUrl);
  const script = opts.httpBridge ? await pageScript(exportsDir) : '';

  let origin = '';
  // The bridge answers only this origin's pages, on this host name (no other site, no DNS rebinding).
  const ours = (req: IncomingMessage, needOrigin: boolean) =>
    req.headers.host === new URL(origin).host &&
    (!needOrigin || (typeof req.headers.origin === 'string' && isAppUrl(req.headers.origin, origin)));

  const http: Server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://shell');
    if (opts.httpBridge && pathname.startsWith('/__shell/')) {
      if (pathname === '/__shell/bridge.js' && req.method === 'GET' && ours(req, false)) {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
        res.end(script);
      } else if (pathname === '/__shell/events' && req.method === 'GET' && ours(req, false)) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write(': siberia\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        // As the window's did-finish-load: links waiting for the window are handled now.
        void main.deepLinks.windowReady();
      } else if (pathname === '/__shell/invoke' && req.method === 'POST') {
        const allowed = ours(req, true);
        try {
          const { name, input } = JSON.parse(await readBody(req)) as { name?: unknown; input?: unknown };
          const result = await main.dispatch(name, decodeBytes(input), allowed);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(encodeBytes(result)));
        } catch {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request');
        }
      } else if (pathname === '/__shell/focus' && req.method === 'POST' && ours(req, true)) {
        void main.onFocus();
        res.writeHead(204).end();
      } else res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const r = await serveRendererFile(rendererDir, pathname);
    const isPage = r.status === 200 && r.headers['content-type']?.startsWith('text/html');
    if (opts.httpBridge && isPage) {
      // The shell's preload goes first in <head>, before the renderer's deferred module.
      const html = Buffer.from(r.body)
        .toString('utf8')
        .replace('<head>', '<head><script src="/__shell/bridge.js"></script>');
      res.writeHead(r.status, r.headers).end(html);
    } else res.writeHead(r.status, r.headers).end(r.body);
  });
  await new Promise<void>((resolve) => http.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  origin = new URL(url).origin;
  await main.start();

  return {
    url,
    origin,
    services: main,
    addSink(sink) {
      sinks.add(sink);
      return () => void sinks.delete(sink);
    },
    async stop() {
      main.stop();
      for (const res of streams) res.end();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
