import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type Stripe from 'stripe';
import { AuthResponse, BillingMeResponse, CheckoutResponse } from '../../contracts/api';
import { loadConfig } from '../../server/config';
import type { UsersTable } from '../../server/db/schema';
import { type RunningServer, setupStripeCatalog, startServer } from '../../server/index';
import { type StripeEmulator, startStripeEmulator } from '../../stripe-emulator/index';
import { freshDatabase, type TestDatabase } from './databases';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/**
 * The whole money path for a test: a fresh database, the Stripe emulator, a TCP relay between the
 * server and Stripe (cut it: "Stripe unreachable"), and the real server with signed webhooks.
 */
export type MoneyStack = {
  t: TestDatabase;
  emulator: StripeEmulator;
  stripe: Stripe;
  proxy: TcpProxy;
  server: RunningServer;
  prices: { monthly: string; annual: string };
  /** Moves Stripe's clock and the servers' together, as if that much time had passed. */
  advance(seconds: number): Promise<void>;
  /** Another server process on the same database (several behind a load balancer). */
  secondServer(env?: Record<string, string>): Promise<RunningServer>;
  call(
    method: string,
    route: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: unknown }>;
  signUp(email: string): Promise<AuthResponse>;
  /** A fresh sign-in: after `advance`, earlier access tokens have expired. */
  signIn(email: string): Promise<AuthResponse>;
  billingMe(token: string): Promise<BillingMeResponse>;
  checkout(token: string, priceId: string, state: string): Promise<CheckoutResponse>;
  /** The browser on the hosted Checkout page; the return page is not visited (only webhooks tell). */
  pay(url: string, card?: string): Promise<boolean>;
  userRow(id: string): Promise<UsersTable>;
  close(): Promise<void>;
};

export async function startMoneyStack(
  kind: 'sqlite' | 'postgres',
  env: Record<string, string> = {},
): Promise<MoneyStack> {
  const t = await freshDatabase(kind);
  const dirs: string[] = [];
  const emulator = await startStripeEmulator({ delivery: { retryBaseMs: 100, maxAttempts: 4 } });
  const stripe = emulator.stripe();
  const prices = await setupStripeCatalog(stripe);
  const proxy = await startTcpProxy(emulator.url);
  const servers: RunningServer[] = [];
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const boot = async (extra: Record<string, string>) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-money-'));
    dirs.push(dataDir);
    const s = await startServer(
      loadConfig({
        PORT: '0',
        AUTH_SECRET: 'm'.repeat(40),
        DATA_DIR: dataDir,
        STRIPE_SECRET_KEY: 'sk_test_money',
        STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
        STRIPE_API_BASE: proxy.url,
        STRIPE_RECONCILE_INTERVAL_S: '0',
        ...env,
        ...extra,
      }),
      { db: t.db, logger: pino({ level: 'silent' }), now },
    );
    servers.push(s);
    return s;
  };
  const server = await boot({});
  emulator.setForwardTo(`${server.url}/api/webhooks/stripe`);

  const call = async (method: string, route: string, body?: unknown, token?: string) => {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed };
  };
  return {
    t,
    emulator,
    stripe,
    proxy,
    server,
    prices,
    advance: async (seconds) => {
      offsetMs += seconds * 1000;
      await emulator.advanceTime(seconds);
      await emulator.idle();
    },
    secondServer: (extra = {}) => boot(extra),
    call,
    signUp: async (email) =>
      AuthResponse.parse(
        (await call('POST', '/api/auth/register', { email, password: 'long enough password' })).body,
      ),
    signIn: async (email) =>
      AuthResponse.parse(
        (await call('POST', '/api/auth/login', { email, password: 'long enough password' })).body,
      ),
    billingMe: async (token) =>
      BillingMeResponse.parse((await call('GET', '/api/billing/me', undefined, token)).body),
    checkout: async (token, priceId, state) => {
      const res = await call('POST', '/api/billing/checkout', { priceId, state }, token);
      if (res.status !== 200) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(res.body)}`);
      return CheckoutResponse.parse(res.body);
    },
    pay: async (url, card = '4242 4242 4242 4242') => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ card }),
        redirect: 'manual',
      });
      return res.status === 303;
    },
    userRow: (id) => t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    close: async () => {
      for (const s of servers) await s.close();
      await emulator.stop();
      await proxy.stop();
      await t.dispose();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
