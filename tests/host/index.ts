// The test host: the browser shell (the real main-process services and IPC dispatch table under
// Node, the renderer over HTTP with the app's CSP) with what tests need on top: window.siberia
// through a Playwright binding, recorders for the system browser and the dialogs, deep links and
// focus delivered on demand.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePageScript } from '../support/page-script';
import { decodeBytes, encodeBytes } from '../../browser-shell/bytes-json';
import type { Page } from 'playwright-core';
import { DEFAULT_APP_SCHEME, findDeepLinkInArgv } from '../../contracts/deeplink';
import type { MainServices } from '../../electron/main/main-services';
import type { Logger } from '../../electron/main/ports';
import { startBrowserShell } from '../../browser-shell/index';
import { loadKeytar } from '../../electron/main/keychain';
import { isTrustedSender } from '../../electron/main/trusted-sender';
import { memoryKeychain } from './node-ports';

export type HostOptions = {
  serverUrl: string;
  dataDir: string;
  checkoutOrigins?: string[];
  /** Default: dist/renderer. */
  rendererDir?: string;
  deviceId?: string;
  locale?: 'en' | 'fr';
  /** Returns the chosen absolute path (default: dataDir/exports/<name>); null cancels. */
  saveDialog?: (suggestedName: string) => string | null;
  openDialog?: () => string | null;
  /** Returns the folder stems go into (default: dataDir/exports); null cancels. */
  folderDialog?: (suggestedName: string) => string | null;
  /** Default memory: a keychain in this process. 'keytar': the OS keychain through keytar. */
  credentials?: 'keytar' | 'memory';
  logger?: Logger;
};

export type TestHost = {
  /** http://127.0.0.1:PORT/ serving the renderer build (the same files app:// serves). */
  url: string;
  /** Call before page.goto: exposes window.siberia in the page. */
  attach(page: Page): Promise<void>;
  /** URLs main asked the "system browser" to open. */
  openedUrls: string[];
  /** The next opened URL not yet returned by this function. */
  waitForOpenedUrl(timeoutMs?: number): Promise<string>;
  deliverDeepLink(url: string, via?: 'open-url' | 'second-instance' | 'argv'): Promise<void>;
  /** As BrowserWindow 'focus'. */
  focusWindow(): Promise<void>;
  services: MainServices;
  stop(): Promise<void>;
};

const here = path.dirname(fileURLToPath(import.meta.url));

function bridgeScript(): Promise<string> {
  return bundlePageScript(path.join(here, 'page-bridge.ts'));
}

export async function startTestHost(opts: HostOptions): Promise<TestHost> {
  const keychain = opts.credentials === 'keytar' ? await loadKeytar() : memoryKeychain();
  if (!keychain) throw new Error('keytar is not available (native module not built)');

  const pages = new Set<Page>();
  const openedUrls: string[] = [];
  let cursor = 0;
  const waiters = new Set<() => void>();

  const shell = await startBrowserShell({
    serverUrl: opts.serverUrl,
    dataDir: opts.dataDir,
    checkoutOrigins: opts.checkoutOrigins,
    rendererDir: opts.rendererDir,
    // The page gets window.siberia from Playwright's binding below, not over HTTP.
    httpBridge: false,
    keychain,
    openExternal: async (url) => {
      openedUrls.push(url);
      for (const w of waiters) w();
    },
    dialogs: {
      save: async (name) =>
        opts.saveDialog ? opts.saveDialog(name) : path.join(opts.dataDir, 'exports', path.basename(name)),
      open: async () => (opts.openDialog ? opts.openDialog() : null),
      folder: async (name) =>
        opts.folderDialog ? opts.folderDialog(name) : path.join(opts.dataDir, 'exports'),
    },
    locale: opts.locale,
    deviceId: opts.deviceId,
    logger: opts.logger,
  });
  const main = shell.services;
  const url = shell.url;
  shell.addSink((event, payload) => {
    for (const page of pages) {
      void page
        .evaluate(
          ([e, p]) =>
            (globalThis as { __siberiaDeliver?(e: string, p: unknown): void }).__siberiaDeliver?.(e, p),
          [event, payload] as const,
        )
        .catch(() => {});
    }
  });

  return {
    url,
    openedUrls,
    services: main,
    async attach(page) {
      pages.add(page);
      page.on('close', () => pages.delete(page));
      // As the window's did-finish-load: links waiting for the window are handled now.
      page.on('load', () => void main.deepLinks.windowReady());
      await page.exposeBinding('__siberiaInvoke', (source, name: unknown, input: unknown) => {
        // Main's own sender check: our page, its main frame, on the renderer's origin.
        const allowed = isTrustedSender(
          { contents: source.page, frame: source.frame, frameUrl: source.frame.url() },
          { contents: page, mainFrame: page.mainFrame(), origin: new URL(url).origin },
        );
        return main.dispatch(name, decodeBytes(input), allowed).then(encodeBytes);
      });
      await page.addInitScript({ content: await bridgeScript() });
    },
    waitForOpenedUrl(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (cursor < openedUrls.length) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(openedUrls[cursor++] as string);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no URL opened within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async deliverDeepLink(link, via = 'open-url') {
      // Each way a link reaches main in the app: the URL itself, or found in a process's argv.
      const raw =
        via === 'open-url'
          ? link
          : findDeepLinkInArgv(
              via === 'argv' ? ['/opt/siberia-mix/siberia-mix', link] : ['siberia-mix', '--no-sandbox', link],
              DEFAULT_APP_SCHEME,
            );
      await main.deepLinks.receive(raw, via);
      await main.deepLinks.settled();
    },
    async focusWindow() {
      await main.onFocus();
    },
    stop: () => shell.stop(),
  };
}
