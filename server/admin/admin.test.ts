import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pino from 'pino';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse, BillingMeResponse, CheckoutResponse } from '../../contracts/api';
import { Jwks } from '../../contracts/tokens';
import { signPayload } from '../../stripe-emulator/delivery';
import { type StripeEmulator, startStripeEmulator } from '../../stripe-emulator/index';
import { loadConfig } from '../config';
import { type RunningServer, setupStripeCatalog, startServer } from '../index';

type Run = { code: number | null; stdout: string; stderr: string };

describe('npm run admin (server/admin/cli.ts) beside a running server', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siberia-admin-'));
  let emulator: StripeEmulator;
  let stripe: Stripe;
  let prices: { monthly: string; annual: string };
  let server: RunningServer;
  let env: Record<string, string>;

  const admin = (...args: string[]) =>
    new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/admin/cli.ts', ...args], {
        env: { ...process.env, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const json = async (...args: string[]) => {
    const run = await admin(...args, '--json');
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Record<string, unknown> & Array<Record<string, unknown>>;
  };
  const call = async (method: string, route: string, body?: unknown, token?: string) => {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const signUp = async (email: string) =>
    AuthResponse.parse(
      (await call('POST', '/api/auth/register', { email, password: 'long enough password' })).body,
    );
  const planOf = async (token: string) =>
    BillingMeResponse.parse((await call('GET', '/api/billing/me', undefined, token)).body).plan;

  beforeAll(async () => {
    emulator = await startStripeEmulator({ delivery: { retryBaseMs: 100, maxAttempts: 4 } });
    stripe = emulator.stripe();
    prices = await setupStripeCatalog(stripe);
    env = {
      DATA_DIR: dir,
      AUTH_SECRET: 'a'.repeat(40),
      STRIPE_SECRET_KEY: 'sk_test_admin',
      STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
      STRIPE_API_BASE: emulator.url,
      STRIPE_RECONCILE_INTERVAL_S: '0',
      LOG_LEVEL: 'warn',
    };
    server = await startServer(loadConfig({ ...env, PORT: '0' }), { logger: pino({ level: 'silent' }) });
    emulator.setForwardTo(`${server.url}/api/webhooks/stripe`);
  });
  afterAll(async () => {
    await server?.close();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says how it is used, and refuses what it does not know with exit code 2', async () => {
    const bare = await admin();
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/Usage: npm run admin -- <command>/);
    const unknown = await admin('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command "frobnicate"/);
    const missing = await admin('user');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/"user" takes 1 argument/);
    const nobody = await admin('user', 'nobody@example.com');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim()).toBe('No account with the email nobody@example.com.');
    const badDate = await admin('comp', 'nobody@example.com', 'tomorrow');
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toMatch(/YYYY-MM-DD/);
  });

  it('finds a paying musician, syncs, reconciles, lists and replays failed webhooks', async () => {
    const ada = await signUp('ada@example.com');
    const { url } = CheckoutResponse.parse(
      (
        await call(
          'POST',
          '/api/billing/checkout',
          { priceId: prices.monthly, state: `admin_${'s'.repeat(20)}` },
          ada.accessToken,
        )
      ).body,
    );
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ card: '4242 4242 4242 4242' }),
      redirect: 'manual',
    });
    await emulator.idle();
    const shown = await json('user', 'ADA@example.com');
    expect(shown).toMatchObject({ email: 'ada@example.com', plan: 'pro', planReason: 'active' });
    expect(shown.subscription).toMatchObject({
      status: 'active',
      price: prices.monthly,
      cancelAtPeriodEnd: false,
    });
    expect((shown.webhooks as unknown[]).length).toBeGreaterThan(0);
    expect(shown.signedInSessions).toBe(1);
    const plain = await admin('user', 'ada@example.com');
    expect(plain.stdout).toMatch(/^plan: pro$/m);
    expect(plain.stdout).toMatch(/^subscription:\n {2}customer: cus_/m);

    expect(await json('sync', 'ada@example.com')).toMatchObject({ plan: 'pro', status: 'active' });
    expect(await json('reconcile')).toMatchObject({ full: true, failed: 0 });

    // One event failed on its way (as if the server had died handling it), one was unprocessable.
    const some = (shown.webhooks as Array<{ event_id: string }>)[0]?.event_id as string;
    await server.keyring.refresh();
    const db = new SQLite(path.join(dir, 'siberia.db'));
    db.prepare('update stripe_events set processed_at = null, outcome = ? where event_id = ?').run(
      'failed: test',
      some,
    );
    db.close();
    const junk = JSON.stringify({ object: 'event', type: 'customer.updated' });
    await fetch(`${server.url}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'stripe-signature': signPayload(junk, emulator.webhookSecret) },
      body: junk,
    });
    const failed = await json('webhooks');
    expect(failed).toHaveLength(2);
    expect(failed.map((e) => e.event_id)).toEqual(
      expect.arrayContaining([some, expect.stringMatching(/^unidentified_/)]),
    );
    const unidentified = failed.find((e) => String(e.event_id).startsWith('unidentified_'))
      ?.event_id as string;
    const cannot = await admin('replay', unidentified);
    expect(cannot.code).toBe(1);
    expect(cannot.stderr).toMatch(/not a Stripe event id/);
    const replayed = await json('replay', some);
    expect(replayed).toEqual([
      { eventId: some, outcome: expect.stringMatching(/^(synced|ignored|session)/) },
    ]);
    expect((await json('webhooks')).map((e) => e.event_id)).toEqual([unidentified]);
  });

  it('gives studio and complimentary Pro, and takes them back', async () => {
    const bo = await signUp('bo@example.com');
    expect(await json('set-plan', 'bo@example.com', 'studio')).toMatchObject({
      plan: 'studio',
      planReason: 'operator',
    });
    expect(await planOf(bo.accessToken)).toBe('studio');
    expect((await json('set-plan', 'bo@example.com', 'free')).plan).toBe('free');
    const wrong = await admin('set-plan', 'bo@example.com', 'gold');
    expect(wrong.code).toBe(1);

    const comp = await json('comp', 'bo@example.com', '2099-01-31');
    expect(comp).toMatchObject({
      plan: 'pro',
      planReason: 'complimentary',
      complimentaryUntil: '2099-02-01T00:00:00.000Z',
    });
    expect(await planOf(bo.accessToken)).toBe('pro');
    expect(await json('comp', 'bo@example.com', 'none')).toMatchObject({
      plan: 'free',
      complimentaryUntil: null,
    });
    expect(await planOf(bo.accessToken)).toBe('free');
  });

  it('signs a musician out everywhere, rotates the signing key and backs the database up', async () => {
    const cy = await signUp('cy@example.com');
    expect(await json('sign-out', 'cy@example.com')).toEqual({ email: 'cy@example.com', sessionsRevoked: 1 });
    expect((await call('POST', '/api/auth/refresh', { refreshToken: cy.refreshToken })).status).toBe(401);

    const rotated = await json('rotate-key');
    await server.keyring.refresh();
    const kids = Jwks.parse(await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).keys.map(
      (k) => k.kid,
    );
    expect(kids).toHaveLength(2);
    expect(kids).toContain(rotated.kid);

    const file = path.join(dir, 'backup.db');
    expect(await json('backup', file)).toMatchObject({ file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const copy = new SQLite(file, { readonly: true });
    const users = copy.prepare('select count(*) as n from users').get() as { n: number };
    copy.close();
    expect(users.n).toBe(3);
    const again = await admin('backup', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already/);
  });
});
