// The real companion server for main-process tests, with the Stripe emulator behind its billing,
// and a TCP relay in front that can play "unreachable" (connections refused and cut).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AuthResponse } from '../../contracts/api';
import type { Plan } from '../../contracts/plan';
import { loadConfig } from '../../server/config';
import { type RunningServer, setupStripeCatalog, startServer } from '../../server/index';
import { type StripeEmulator, startStripeEmulator } from '../../stripe-emulator/index';
import { freshDatabase, type TestDatabase } from '../support/databases';
import { startTcpProxy } from '../support/tcp-proxy';

export type Companion = {
  /** What the app talks to (the relay in front of the server). */
  url: string;
  server: RunningServer;
  emulator: StripeEmulator;
  prices: { monthly: string; annual: string };
  database: TestDatabase;
  dataDir: string;
  /** While off, connections to the server fail as on a dead network. */
  setReachable(on: boolean): void;
  /** The server's clock (the app's clock is separate). */
  advanceServerClock(ms: number): void;
  register(email?: string, password?: string): Promise<AuthResponse>;
  /** A shortcut past Stripe for tests that are not about buying. */
  setPlan(userId: string, plan: Plan): Promise<void>;
  /** The browser on the hosted Checkout page: pays, lands on the return page; its deep link. */
  pay(checkoutUrl: string, card?: string): Promise<string>;
  close(): Promise<void>;
};

export async function startCompanion(env: Record<string, string> = {}): Promise<Companion> {
  const database = await freshDatabase('sqlite');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-companion-'));
  const emulator = await startStripeEmulator({ delivery: { retryBaseMs: 150 } });
  const catalog = await setupStripeCatalog(emulator.stripe());
  let offsetMs = 0;
  const server = await startServer(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      AUTH_SECRET: randomBytes(32).toString('hex'),
      STRIPE_SECRET_KEY: 'sk_test_desktop',
      STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
      STRIPE_API_BASE: emulator.url,
      STRIPE_PRICE_MONTHLY: catalog.monthly,
      STRIPE_PRICE_ANNUAL: catalog.annual,
      LOG_LEVEL: 'silent',
      ...env,
    }),
    { db: database.db, logger: pino({ level: 'silent' }), now: () => new Date(Date.now() + offsetMs) },
  );
  emulator.setForwardTo(`${server.url}/api/webhooks/stripe`);
  const relay = await startTcpProxy(server.url);

  return {
    url: relay.url,
    server,
    emulator,
    prices: { monthly: catalog.monthly, annual: catalog.annual },
    database,
    dataDir,
    setReachable: (on) => relay.setReachable(on),
    advanceServerClock(ms) {
      offsetMs += ms;
    },
    async register(
      email = `user_${randomBytes(4).toString('hex')}@example.com`,
      password = 'a long password',
    ) {
      const res = await fetch(`${server.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      return AuthResponse.parse(await res.json());
    },
    async setPlan(userId, plan) {
      await database.db
        .updateTable('users')
        .set({ plan, subscription_status: plan === 'free' ? null : 'active' })
        .where('id', '=', userId)
        .execute();
    },
    async pay(checkoutUrl, card = '4242 4242 4242 4242') {
      const res = await fetch(checkoutUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ card }),
        redirect: 'manual',
      });
      if (res.status !== 303) throw new Error(`checkout page answered ${res.status}`);
      const html = await (await fetch(res.headers.get('location') as string)).text();
      await emulator.idle();
      const link = /href="(siberiamix:\/\/[^"]+)"/.exec(html)?.[1];
      if (!link) throw new Error('the return page has no deep link');
      return link.replaceAll('&amp;', '&');
    },
    async close() {
      await relay.stop();
      await server.close();
      await emulator.stop();
      await database.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
