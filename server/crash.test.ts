import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse, BillingMeResponse, CheckoutResponse, UsageGrantResponse } from '../contracts/api';
import { type StripeEmulator, startStripeEmulator } from '../stripe-emulator/index';
import { databaseKinds } from '../tests/support/databases';
import { type ServerProcess, spawnServer } from '../tests/support/server-process';
import { type Db, openDatabase } from './db/connect';
import { setupStripeCatalog } from './index';

/** A database a server process can be pointed at by DATABASE_URL, and the test's own handle on it. */
async function sharedDatabase(kind: 'sqlite' | 'postgres', dir: string) {
  if (kind === 'sqlite') {
    const file = path.join(dir, 'crash.db');
    return { url: `sqlite:${file}`, open: () => openDatabase({ kind, file }), drop: async () => {} };
  }
  const base = process.env.TEST_DATABASE_URL as string;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(q);
    await c.end();
  };
  await admin(`create schema ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    open: () => openDatabase({ kind, url: base }, { searchPath: schema }),
    drop: () => admin(`drop schema ${schema} cascade`),
  };
}

describe.each(databaseKinds)('kill -9 during webhooks and grants, on %s', (kind) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siberia-crash-'));
  let emulator: StripeEmulator;
  let stripe: Stripe;
  let prices: { monthly: string; annual: string };
  let database: Awaited<ReturnType<typeof sharedDatabase>>;
  let db: Db;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    emulator = await startStripeEmulator({ delivery: { retryBaseMs: 100, maxAttempts: 12 } });
    stripe = emulator.stripe();
    prices = await setupStripeCatalog(stripe);
    database = await sharedDatabase(kind, dir);
  });
  afterAll(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await db?.destroy();
    await emulator?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const boot = async (port = '0') => {
    const s = await spawnServer({
      PORT: port,
      DATABASE_URL: database.url,
      DATA_DIR: dir,
      AUTH_SECRET: 'k'.repeat(40),
      STRIPE_SECRET_KEY: 'sk_test_crash',
      STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
      STRIPE_API_BASE: emulator.url,
      // Webhooks alone must heal: no reconciliation to paper over a lost one.
      STRIPE_RECONCILE_INTERVAL_S: '0',
    });
    servers.push(s);
    return s;
  };
  const call = async (base: string, method: string, route: string, body?: unknown, token?: string) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it('loses no webhook effect and no grant, and counts none twice', async () => {
    const first = await boot();
    emulator.setForwardTo(`${first.url}/api/webhooks/stripe`);
    const signUp = async (email: string) =>
      AuthResponse.parse(
        (await call(first.url, 'POST', '/api/auth/register', { email, password: 'long enough password' }))
          .body,
      );
    const buy = async (token: string, n: number) => {
      const state = `crash_state_${n}_${'x'.repeat(12)}`;
      const { url } = CheckoutResponse.parse(
        (await call(first.url, 'POST', '/api/billing/checkout', { priceId: prices.monthly, state }, token))
          .body,
      );
      const paid = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ card: '4242 4242 4242 4242' }),
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
    };

    // One musician is Pro before the crash and exports while it happens.
    const exporter = await signUp('exporter@example.com');
    await buy(exporter.accessToken, 0);
    await emulator.idle();
    const grantFor = (base: string, key: string) =>
      call(
        base,
        'POST',
        '/api/usage/grants',
        { kind: 'export', idempotencyKey: key, deviceId: 'dev_crash_0001' },
        exporter.accessToken,
      );
    const keys = Array.from({ length: 40 }, (_, i) => `crash-key-${String(i).padStart(3, '0')}`);
    const answered = new Map<string, string>();

    // Six more pay at once: their webhooks are in flight when the process is killed, and so are
    // the exporter's grants.
    const buyers = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => signUp(`buyer${n}@example.com`)));
    const delivered = emulator.deliveries().length;
    await Promise.all(buyers.map((b, i) => buy(b.accessToken, i + 1)));
    while (emulator.deliveries().length < delivered + 2) await new Promise((r) => setTimeout(r, 5));
    const grants = (async () => {
      for (let i = 0; i < keys.length; i += 4)
        await Promise.all(
          keys.slice(i, i + 4).map(async (key) => {
            const r = await grantFor(first.url, key).catch(() => null);
            if (r?.status === 200) answered.set(key, UsageGrantResponse.parse(r.body).grant);
          }),
        );
    })();
    while (answered.size < 8) await new Promise((r) => setTimeout(r, 1));
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    await grants;
    const beforeCrash = answered.size;

    // The same port: Stripe goes on retrying the endpoint it knows.
    const second = await boot(String(new URL(first.url).port));
    await emulator.idle();
    for (const b of [exporter, ...buyers]) {
      const me = BillingMeResponse.parse(
        (await call(second.url, 'GET', '/api/billing/me', undefined, b.accessToken)).body,
      );
      expect(me.plan, b.user.email).toBe('pro');
    }
    db = database.open();
    const events = await db
      .selectFrom('stripe_events')
      .select(['event_id', 'processed_at', 'outcome'])
      .execute();
    expect(events.filter((e) => e.processed_at === null)).toEqual([]);
    const sent = new Set(emulator.deliveries().map((d) => d.eventId));
    expect(new Set(events.map((e) => e.event_id))).toEqual(sent);

    // Every grant answered before the crash stands as it was; asked again, each key is one use.
    for (const key of keys) {
      const again = await grantFor(second.url, key);
      expect(again.status).toBe(200);
      const grant = UsageGrantResponse.parse(again.body).grant;
      if (answered.has(key)) expect(grant, key).toBe(answered.get(key));
    }
    const uses = await db
      .selectFrom('usage_events')
      .select(['idempotency_key'])
      .where('user_id', '=', exporter.user.id)
      .execute();
    expect(uses.map((u) => u.idempotency_key).sort()).toEqual(keys);
    const retried = emulator.deliveries().filter((d) => d.status === null || d.status >= 300).length;
    console.info(
      `${kind}: killed with ${beforeCrash}/40 grants answered; ${retried} deliveries failed meanwhile and were retried; after restart all ${sent.size} events processed, 7/7 Pro, 40 uses`,
    );
  }, 300_000);
});
