import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import pino from 'pino';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse, BillingMeResponse, PlansResponse, UrlResponse } from '../contracts/api';
import { ErrorBody } from '../contracts/errors';
import { EntitlementClaims, Jwks, TOKEN_AUDIENCE } from '../contracts/tokens';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { startTcpProxy, type TcpProxy } from '../tests/support/tcp-proxy';
import { signPayload, type StripeEmulator, startStripeEmulator } from '../stripe-emulator/index';
import { loadConfig } from './config';
import { type RunningServer, setupStripeCatalog, startServer } from './index';

const DEVICE = 'dev_billing_01';
const DAY = 86400;

describe.each(databaseKinds)('Stripe billing through the emulator on %s', (kind) => {
  let t: TestDatabase;
  let emulator: StripeEmulator;
  let proxy: TcpProxy;
  let server: RunningServer;
  let stripe: Stripe;
  let dataDir: string;
  let prices: { monthly: string; annual: string };

  const call = async (
    method: string,
    route: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, text };
  };
  const userRow = (id: string) =>
    t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const signUp = async (email: string) =>
    AuthResponse.parse(
      (await call('POST', '/api/auth/register', { email, password: 'long enough password' })).body,
    );
  const billingMe = async (token: string) =>
    BillingMeResponse.parse((await call('GET', '/api/billing/me', undefined, token)).body);
  const state = (n: string) => `state_${n}_${'x'.repeat(16)}`;
  /** The browser: the hosted Checkout page's form, then the redirect to the server's return page. */
  const pay = async (checkoutUrl: string, card: string, acceptLanguage = 'en') => {
    const res = await fetch(checkoutUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ card }),
      redirect: 'manual',
    });
    if (res.status !== 303) return { paid: false as const, status: res.status, html: await res.text() };
    const back = await fetch(res.headers.get('location') as string, {
      headers: { 'accept-language': acceptLanguage },
    });
    return { paid: true as const, status: back.status, html: await back.text() };
  };
  const buyPro = async (token: string, price = prices.monthly, st = state('buy')) => {
    const { url } = UrlResponse.parse(
      (await call('POST', '/api/billing/checkout', { priceId: price, state: st }, token)).body,
    );
    const result = await pay(url, '4242 4242 4242 4242');
    await emulator.idle();
    return { url, result };
  };
  const sendEvent = (payload: string, signature?: string) =>
    fetch(`${server.url}/api/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'stripe-signature': signature } : {}),
      },
      body: payload,
    });

  beforeAll(async () => {
    t = await freshDatabase(kind);
    dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-billing-'));
    emulator = await startStripeEmulator({ delivery: { retryBaseMs: 150, maxAttempts: 8 } });
    stripe = emulator.stripe();
    prices = await setupStripeCatalog(stripe);
    // The server reaches Stripe through a relay the tests can cut: "Stripe unreachable".
    proxy = await startTcpProxy(emulator.url);
    server = await startServer(
      loadConfig({
        PORT: '0',
        AUTH_SECRET: 'c'.repeat(40),
        DATA_DIR: dataDir,
        STRIPE_SECRET_KEY: 'sk_test_billing',
        STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
        STRIPE_API_BASE: proxy.url,
        PRO_EXPORTS_PER_MONTH: '2',
        PRO_MASTERS_PER_MONTH: '1',
      }),
      { db: t.db, logger: pino({ level: 'silent' }) },
    );
    emulator.setForwardTo(`${server.url}/api/webhooks/stripe`);
  });
  afterAll(async () => {
    await server?.close();
    await emulator?.stop();
    await proxy?.stop();
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the Pro prices read from Stripe (found by lookup key)', async () => {
    const res = await call('GET', '/api/billing/plans');
    expect(res.status).toBe(200);
    const { prices: list, quotas } = PlansResponse.parse(res.body);
    // Pro's quotas as numbers, for the pricing grid.
    expect(quotas).toEqual({ exportsPerMonth: 2, mastersPerMonth: 1 });
    expect(list).toEqual([
      {
        id: prices.monthly,
        interval: 'month',
        unitAmount: 999,
        currency: 'eur',
        productName: 'Siberia Mix Pro',
        taxBehavior: 'inclusive',
      },
      {
        id: prices.annual,
        interval: 'year',
        unitAmount: 9999,
        currency: 'eur',
        productName: 'Siberia Mix Pro',
        taxBehavior: 'inclusive',
      },
    ]);
  });

  it('sells Pro end to end: checkout, payment, webhooks, token, quota, cancel at period end, period end', async () => {
    const s = await signUp('buyer@example.com');
    expect((await billingMe(s.accessToken)).plan).toBe('free');
    const st = state('e2e');
    const { url } = UrlResponse.parse(
      (await call('POST', '/api/billing/checkout', { priceId: prices.monthly, state: st }, s.accessToken))
        .body,
    );
    expect(url.startsWith(`${emulator.url}/c/pay/cs_test_`)).toBe(true);
    const sessionId = url.split('/').pop() as string;
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    const row = await userRow(s.user.id);
    expect(session).toMatchObject({
      mode: 'subscription',
      client_reference_id: s.user.id,
      metadata: { user_id: s.user.id },
      customer: row.stripe_customer_id,
      success_url: `${server.url}/checkout/return?session_id={CHECKOUT_SESSION_ID}&state=${st}`,
      cancel_url: `${server.url}/checkout/return?status=cancel&state=${st}`,
    });

    const paid = await pay(url, '4242 4242 4242 4242', 'fr-FR,fr;q=0.9,en;q=0.5');
    expect(paid.paid).toBe(true);
    expect(paid.status).toBe(200);
    expect(paid.html).toContain(`siberiamix://checkout/success?session_id=${sessionId}&amp;state=${st}`);
    expect(paid.html).toContain('Ouvrir Siberia Mix');
    await emulator.idle();

    const me = await billingMe(s.accessToken);
    expect(me).toMatchObject({
      plan: 'pro',
      status: 'active',
      interval: 'month',
      cancelAtPeriodEnd: false,
      exportsLimit: 2,
      mastersLimit: 1,
    });
    const periodEnd = Date.parse(me.currentPeriodEnd as string);
    expect(periodEnd - Date.now()).toBeGreaterThan(27 * DAY * 1000);
    // Every webhook reached the server and was answered 2xx.
    const toServer = emulator.deliveries().filter((d) => d.url.startsWith(server.url));
    expect(toServer.length).toBeGreaterThanOrEqual(3);
    expect(toServer.every((d) => d.status === 200)).toBe(true);

    const keys = Jwks.parse((await call('GET', '/.well-known/jwks.json')).body);
    const { token } = (await call('POST', '/api/entitlements/token', { deviceId: DEVICE }, s.accessToken))
      .body as {
      token: string;
    };
    const claims = EntitlementClaims.parse(
      (await jwtVerify(token, createLocalJWKSet(keys), { audience: TOKEN_AUDIENCE })).payload,
    );
    expect(claims).toMatchObject({ plan: 'pro', periodEnd: Math.floor(periodEnd / 1000) });
    expect([...claims.features].sort()).toEqual(['export', 'master', 'project_save']);

    const grant = (key: string) =>
      call(
        'POST',
        '/api/usage/grants',
        { kind: 'export', idempotencyKey: key, deviceId: DEVICE },
        s.accessToken,
      );
    expect((await grant('export-0001')).status).toBe(200);
    expect((await grant('export-0002')).status).toBe(200);
    const over = await grant('export-0003');
    expect(over.status).toBe(402);
    expect(ErrorBody.parse(over.body).error.code).toBe('quota_exceeded');

    const again = await call(
      'POST',
      '/api/billing/checkout',
      { priceId: prices.annual, state: state('again') },
      s.accessToken,
    );
    expect(again.status).toBe(409);
    expect(ErrorBody.parse(again.body).error.code).toBe('already_subscribed');

    // The portal: cancel at period end → still Pro until the period ends.
    const portal = UrlResponse.parse((await call('POST', '/api/billing/portal', {}, s.accessToken)).body);
    expect(portal.url.startsWith(`${emulator.url}/p/session/`)).toBe(true);
    const portalSession = await fetch(portal.url).then((r) => r.text());
    expect(portalSession).toContain(`${server.url}/portal/return`);
    const cancel = await fetch(portal.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'cancel' }),
    });
    expect(cancel.status).toBe(200);
    await emulator.idle();
    expect(await billingMe(s.accessToken)).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: true });
    const portalReturn = await call('GET', '/portal/return');
    expect(portalReturn.text).toContain('siberiamix://portal/return');

    await emulator.advanceTime(32 * DAY);
    await emulator.idle();
    expect(await billingMe(s.accessToken)).toMatchObject({
      plan: 'free',
      status: 'canceled',
      exportsLimit: 0,
    });
    const refused = await grant('export-0004');
    expect(refused.status).toBe(402);
    expect(ErrorBody.parse(refused.body).error.code).toBe('upgrade_required');

    const outcomes = await t.db
      .selectFrom('stripe_events')
      .select(['type', 'outcome', 'processed_at'])
      .execute();
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o.processed_at !== null)).toBe(true);
    expect(
      outcomes.some(
        (o) => o.type === 'customer.subscription.deleted' && o.outcome?.startsWith('synced: free'),
      ),
    ).toBe(true);
  });

  it('refuses bad, missing and stale signatures with 400 and changes nothing', async () => {
    const s = await signUp('forger@example.com');
    await buyPro(s.accessToken);
    const row = await userRow(s.user.id);
    const payload = JSON.stringify({
      id: 'evt_forged_0001',
      object: 'event',
      type: 'customer.subscription.deleted',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: { id: row.stripe_subscription_id, object: 'subscription', customer: row.stripe_customer_id },
      },
    });
    const missing = await sendEvent(payload);
    expect(missing.status).toBe(400);
    expect(ErrorBody.parse(await missing.json()).error.code).toBe('invalid_signature');
    expect((await sendEvent(payload, signPayload(payload, 'whsec_not_the_secret'))).status).toBe(400);
    const stale = signPayload(payload, emulator.webhookSecret, Math.floor(Date.now() / 1000) - 301);
    expect((await sendEvent(payload, stale)).status).toBe(400);
    const tampered = signPayload(payload, emulator.webhookSecret);
    expect((await sendEvent(payload.replace('deleted', 'updated'), tampered)).status).toBe(400);
    const stored = await t.db
      .selectFrom('stripe_events')
      .selectAll()
      .where('event_id', '=', 'evt_forged_0001')
      .execute();
    expect(stored).toEqual([]);
    expect((await billingMe(s.accessToken)).plan).toBe('pro');
    // The same event, signed properly, is accepted: the sync reads Stripe, which still says active.
    const ok = await sendEvent(payload, signPayload(payload, emulator.webhookSecret));
    expect(ok.status).toBe(200);
    expect((await billingMe(s.accessToken)).plan).toBe('pro');
  });

  it('takes a signed webhook body beyond the API’s 100 kB, and refuses one over 1 MB with 413', async () => {
    const event = (id: string, padding: number) =>
      JSON.stringify({
        id,
        object: 'event',
        type: 'customer.created',
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: 'cus_padding', object: 'customer', description: 'x'.repeat(padding) } },
      });
    const big = event('evt_big_0001', 600_000);
    const accepted = await sendEvent(big, signPayload(big, emulator.webhookSecret));
    expect(accepted.status).toBe(200);
    const huge = event('evt_huge_0001', 1_100_000);
    const refused = await sendEvent(huge, signPayload(huge, emulator.webhookSecret));
    expect(refused.status).toBe(413);
    expect(ErrorBody.parse(await refused.json()).error.code).toBe('payload_too_large');
    const stored = await t.db
      .selectFrom('stripe_events')
      .select('event_id')
      .where('event_id', 'in', ['evt_big_0001', 'evt_huge_0001'])
      .execute();
    expect(stored.map((r) => r.event_id)).toEqual(['evt_big_0001']);
  });

  it('ends in Stripe’s truth whatever the order and repetition of events', async () => {
    const s = await signUp('replay@example.com');
    await buyPro(s.accessToken);
    const before = await billingMe(s.accessToken);
    const row = await userRow(s.user.id);
    const events = (await stripe.events.list({ limit: 100 })).data.filter(
      (e) => (e.data.object as { customer?: string }).customer === row.stripe_customer_id,
    );
    expect(events.length).toBeGreaterThanOrEqual(3);
    // Duplicates, reversed: each answered 200 with no second effect.
    for (const e of [...events].reverse()) {
      const payload = JSON.stringify(e);
      const res = await sendEvent(payload, signPayload(payload, emulator.webhookSecret));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ received: true, duplicate: true });
    }
    // An old snapshot under a new id (an "incomplete" subscription) cannot roll the state back.
    const old = {
      ...events[events.length - 1],
      id: 'evt_late_snapshot_1',
      type: 'customer.subscription.updated',
    } as Stripe.Event;
    (old.data.object as unknown as { status: string }).status = 'incomplete';
    const payload = JSON.stringify(old);
    expect((await sendEvent(payload, signPayload(payload, emulator.webhookSecret))).status).toBe(200);
    expect(await billingMe(s.accessToken)).toEqual(before);
  });

  it('answers 200 for an unknown customer and for event types it does not act on', async () => {
    const unknown = JSON.stringify({
      id: 'evt_unknown_customer',
      object: 'event',
      type: 'customer.subscription.updated',
      data: { object: { id: 'sub_x', object: 'subscription', customer: 'cus_not_ours' } },
    });
    const res = await sendEvent(unknown, signPayload(unknown, emulator.webhookSecret));
    expect(res.status).toBe(200);
    const other = JSON.stringify({
      id: 'evt_other_type',
      object: 'event',
      type: 'product.created',
      data: { object: { id: 'prod_x' } },
    });
    expect((await sendEvent(other, signPayload(other, emulator.webhookSecret))).status).toBe(200);
    const rows = await t.db
      .selectFrom('stripe_events')
      .select(['event_id', 'outcome'])
      .where('event_id', 'in', ['evt_unknown_customer', 'evt_other_type'])
      .orderBy('event_id')
      .execute();
    expect(rows).toEqual([
      { event_id: 'evt_other_type', outcome: 'ignored' },
      { event_id: 'evt_unknown_customer', outcome: 'unknown_customer' },
    ]);
  });

  it('answers 500 while Stripe cannot be reached, and the retry succeeds', async () => {
    const s = await signUp('outage@example.com');
    await buyPro(s.accessToken);
    const row = await userRow(s.user.id);
    proxy.setReachable(false);
    // The musician cancels in the portal while the server cannot reach Stripe.
    await stripe.subscriptions.update(row.stripe_subscription_id as string, { cancel_at_period_end: true });
    await waitFor(() => emulator.deliveries().some((d) => d.url.startsWith(server.url) && d.status === 500));
    expect((await billingMe(s.accessToken)).cancelAtPeriodEnd).toBe(false);
    proxy.setReachable(true);
    await emulator.idle();
    expect(await billingMe(s.accessToken)).toMatchObject({ plan: 'pro', cancelAtPeriodEnd: true });
  });

  it('creates one Stripe customer under concurrent checkouts', async () => {
    const s = await signUp('racer@example.com');
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call(
          'POST',
          '/api/billing/checkout',
          { priceId: prices.monthly, state: state(`race${i}`) },
          s.accessToken,
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const customers = await stripe.customers.list({ email: 'racer@example.com', limit: 10 });
    expect(customers.data).toHaveLength(1);
    const row = await userRow(s.user.id);
    expect(row.stripe_customer_id).toBe(customers.data[0]?.id);
  });

  it('refuses a foreign price, a malformed request, no sign-in and a portal without a customer', async () => {
    const s = await signUp('careful@example.com');
    const foreign = await call(
      'POST',
      '/api/billing/checkout',
      { priceId: 'price_someone_else', state: state('f') },
      s.accessToken,
    );
    expect(foreign.status).toBe(400);
    expect(ErrorBody.parse(foreign.body).error.code).toBe('invalid_price');
    const badState = await call(
      'POST',
      '/api/billing/checkout',
      { priceId: prices.monthly, state: 'a b' },
      s.accessToken,
    );
    expect(badState.status).toBe(400);
    expect(ErrorBody.parse(badState.body).error.code).toBe('validation_error');
    const malformed = await call('POST', '/api/billing/checkout', '{"priceId":', s.accessToken);
    expect(malformed.status).toBe(400);
    expect(ErrorBody.parse(malformed.body).error.code).toBe('malformed_json');
    expect(
      (await call('POST', '/api/billing/checkout', { priceId: prices.monthly, state: state('n') })).status,
    ).toBe(401);
    const portal = await call('POST', '/api/billing/portal', {}, s.accessToken);
    expect(portal.status).toBe(409);
    expect(ErrorBody.parse(portal.body).error.code).toBe('no_subscription');
    const row = await userRow(s.user.id);
    expect(row.stripe_customer_id).toBeNull();
  });

  it('keeps a declined card free, and the return page hands cancel and refuses forged sessions', async () => {
    const s = await signUp('declined@example.com');
    const st = state('declined');
    const { url } = UrlResponse.parse(
      (await call('POST', '/api/billing/checkout', { priceId: prices.monthly, state: st }, s.accessToken))
        .body,
    );
    const declined = await pay(url, '4000 0000 0000 0002');
    expect(declined.paid).toBe(false);
    expect(declined.html).toContain('Your card was declined.');
    await emulator.idle();
    expect((await billingMe(s.accessToken)).plan).toBe('free');

    const cancel = await call('GET', `/checkout/return?status=cancel&state=${st}`);
    expect(cancel.status).toBe(200);
    expect(cancel.text).toContain(`siberiamix://checkout/cancel?state=${st}`);
    expect(cancel.text).toContain('Checkout cancelled');
    const forged = await call('GET', `/checkout/return?session_id=cs_test_madeup123&state=${st}`);
    expect(forged.status).toBe(404);
    expect(forged.text).not.toContain('siberiamix://');
    const badState = await call('GET', '/checkout/return?session_id=cs_test_x&state=<script>');
    expect(badState.status).toBe(400);
    expect(badState.text).not.toContain('<script>');
    // A real session that is still open (not paid): the page says so, and the app will ask the server.
    const open = await call('GET', `/checkout/return?session_id=${url.split('/').pop()}&state=${st}`);
    expect(open.status).toBe(200);
    expect(open.text).toContain('Payment being confirmed');
  });
});

describe('billing without Stripe configured', () => {
  it('answers 503 stripe_unavailable on the billing routes and the webhook', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-nostripe-'));
    const server = await startServer(
      loadConfig({ PORT: '0', AUTH_SECRET: 'd'.repeat(40), DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
    );
    try {
      const plans = await fetch(`${server.url}/api/billing/plans`);
      expect(plans.status).toBe(503);
      expect(ErrorBody.parse(await plans.json()).error.code).toBe('stripe_unavailable');
      const hook = await fetch(`${server.url}/api/webhooks/stripe`, { method: 'POST', body: '{}' });
      expect(hook.status).toBe(503);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
