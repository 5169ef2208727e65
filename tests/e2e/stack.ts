// The whole product for end-to-end scenarios: the Stripe emulator delivering signed webhooks, the
// real companion server (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), the Electron-less
// test host running the real main-process services, and Chromium showing the real renderer build.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type RunningServer, loadConfig, setupStripeCatalog, startServer } from '../../server/index';
import { freshDatabase, type TestDatabase } from '../support/databases';
import { type TestHost, startTestHost } from '../host/index';
import { type StripeEmulator, startStripeEmulator } from '../../stripe-emulator/index';
import { launchChromium } from './chromium';

export type Stack = {
  emulator: StripeEmulator;
  server: RunningServer;
  browser: Browser;
  dataDir: string;
  prices: { monthly: string; annual: string };
  /** Starts the server again on the same database and port (after `server.close()`: "offline"). */
  restartServer(): Promise<void>;
  /** A desktop app: the test host with its own data folder and device, and its window in Chromium. */
  openApp(name: string, opts?: { locale?: 'en' | 'fr' }): Promise<App>;
  stop(): Promise<void>;
};

export type App = {
  host: TestHost;
  page: Page;
  context: BrowserContext;
  dataDir: string;
  exportsDir: string;
  /** The musician's answer to the next save and folder dialogs: a place in exportsDir, or Cancel. */
  saveDialog: { cancel: boolean };
  /** The musician's answer to the next open dialogs (a project, or an audio file to locate); null: Cancel. */
  openDialog: { next: string | null };
  /** The "system browser": opens what main asked to open, in a page of its own. */
  followOpenedUrl(): Promise<Page>;
  close(): Promise<void>;
};

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-e2e-'));
  const database: TestDatabase | null = process.env.TEST_DATABASE_URL
    ? await freshDatabase('postgres')
    : null;
  const emulator = await startStripeEmulator({ delivery: { retryBaseMs: 200 } });
  const catalog = await setupStripeCatalog(emulator.stripe());
  const baseEnv = {
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    STRIPE_SECRET_KEY: 'sk_test_e2e',
    STRIPE_API_BASE: emulator.url,
    STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
    STRIPE_PRICE_MONTHLY: catalog.monthly,
    STRIPE_PRICE_ANNUAL: catalog.annual,
    AUTH_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    ...env,
  };
  let server = await startServer(loadConfig({ ...baseEnv, PORT: '0' }), database ? { db: database.db } : {});
  const port = String(server.port);
  emulator.setForwardTo(`${server.url}/api/webhooks/stripe`);
  const browser = await launchChromium();
  const apps: App[] = [];

  const stack: Stack = {
    emulator,
    get server() {
      return server;
    },
    browser,
    dataDir,
    prices: { monthly: catalog.monthly, annual: catalog.annual },
    async restartServer() {
      server = await startServer(loadConfig({ ...baseEnv, PORT: port }), database ? { db: database.db } : {});
    },
    async openApp(name, opts = {}) {
      const appDir = path.join(dataDir, `app-${name}`);
      const exportsDir = path.join(appDir, 'exports');
      mkdirSync(exportsDir, { recursive: true });
      const saveDialog = { cancel: false };
      const openDialog: { next: string | null } = { next: null };
      const host = await startTestHost({
        serverUrl: server.url,
        dataDir: appDir,
        checkoutOrigins: [emulator.url],
        deviceId: `dev_${name}_${randomBytes(4).toString('hex')}`,
        locale: opts.locale ?? 'en',
        // The musician keeps every file: a name already taken gets a number, as one would type.
        saveDialog: (suggested) => {
          if (saveDialog.cancel) return null;
          const { name, ext } = path.parse(path.basename(suggested));
          let candidate = path.join(exportsDir, `${name}${ext}`);
          for (let n = 2; existsSync(candidate); n++) candidate = path.join(exportsDir, `${name} ${n}${ext}`);
          return candidate;
        },
        openDialog: () => openDialog.next,
        folderDialog: () => (saveDialog.cancel ? null : exportsDir),
      });
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        locale: opts.locale === 'fr' ? 'fr-FR' : 'en-GB',
      });
      const page = await context.newPage();
      await host.attach(page);
      await page.goto(host.url);
      const app: App = {
        host,
        page,
        context,
        dataDir: appDir,
        exportsDir,
        saveDialog,
        openDialog,
        async followOpenedUrl() {
          const url = await host.waitForOpenedUrl(15_000);
          const tab = await context.newPage();
          await tab.goto(url);
          return tab;
        },
        async close() {
          await context.close().catch(() => {});
          await host.stop().catch(() => {});
        },
      };
      apps.push(app);
      return app;
    },
    async stop() {
      for (const app of apps) await app.close();
      await browser.close().catch(() => {});
      await server.close().catch(() => {});
      await emulator.stop().catch(() => {});
      await database?.dispose().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
