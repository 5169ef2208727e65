import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayload } from '../stripe-emulator/delivery';
import { type MoneyStack, startMoneyStack } from '../tests/support/money-stack';
import { loadConfig } from './config';
import { type RunningServer, startServer } from './index';

const TOKEN = 'metrics-token-of-the-operator';

/** The value of one series in Prometheus text, or 0 when it is not there yet. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const have = inside.split(',');
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.indexOf('}') + 1));
  }
  return 0;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('GET /metrics', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  const boot = async (env: Record<string, string>) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'siberia-metrics-'));
    dirs.push(dir);
    const s = await startServer(
      loadConfig({ PORT: '0', DATA_DIR: dir, AUTH_SECRET: 'm'.repeat(40), ...env }),
      {
        logger: pino({ level: 'silent' }),
      },
    );
    servers.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is off by default', async () => {
    const s = await boot({});
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
  });

  it('answers behind METRICS_TOKEN, with requests by route pattern and status and their latency', async () => {
    const s = await boot({ METRICS_TOKEN: TOKEN });
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(
      401,
    );
    await fetch(`${s.url}/healthz`);
    await fetch(`${s.url}/api/billing/me`);
    await fetch(`${s.url}/wp-login.php?x=1`);
    await fetch(`${s.url}/another/scanner/path`);
    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const requests = 'siberia_http_requests_total';
    expect(sample(text, requests, { route: '/healthz', method: 'GET', status: '200' })).toBe(1);
    expect(sample(text, requests, { route: '/api/billing/me', method: 'GET', status: '401' })).toBe(1);
    // Paths no route knows are one series, whatever they are.
    expect(sample(text, requests, { route: '(unmatched)', method: 'GET', status: '404' })).toBe(2);
    expect(text).not.toMatch(/wp-login|scanner/);
    expect(
      sample(text, 'siberia_http_request_duration_seconds_count', { route: '/healthz', method: 'GET' }),
    ).toBe(1);
    expect(text).toMatch(/^siberia_process_cpu_user_seconds_total /m);
  });

  it('has a port of its own with METRICS_PORT, and then stays off the main port', async () => {
    const port = await freePort();
    const s = await boot({ METRICS_PORT: String(port) });
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/siberia_http_requests_total|siberia_process/);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });
});

describe('metrics of the money path', () => {
  let m: MoneyStack;
  const scrape = async () =>
    (await fetch(`${m.server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();

  beforeAll(async () => {
    m = await startMoneyStack('sqlite', { METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await m?.close();
  });

  it('counts webhooks by type and outcome, grants and refusals, reconciliations and Stripe errors', async () => {
    const ada = await m.signUp('metrics@example.com');
    const refused = await m.call(
      'POST',
      '/api/usage/grants',
      { kind: 'export', idempotencyKey: 'metrics-free-1', deviceId: 'dev_metrics_01' },
      ada.accessToken,
    );
    expect(refused.status).toBe(402);
    const { url } = await m.checkout(ada.accessToken, m.prices.monthly, `metrics_${'s'.repeat(20)}`);
    expect(await m.pay(url)).toBe(true);
    await m.emulator.idle();
    const granted = await m.call(
      'POST',
      '/api/usage/grants',
      { kind: 'export', idempotencyKey: 'metrics-pro-1', deviceId: 'dev_metrics_01' },
      ada.accessToken,
    );
    expect(granted.status).toBe(200);
    const forged = JSON.stringify({ id: 'evt_forged_metrics', type: 'customer.updated' });
    await fetch(`${m.server.url}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'stripe-signature': signPayload(forged, 'whsec_not_ours') },
      body: forged,
    });
    await m.server.reconciler?.runOnce({ full: true });
    m.proxy.setReachable(false);
    expect((await m.call('GET', '/api/billing/plans')).status).toBe(502);
    m.proxy.setReachable(true);

    const text = await scrape();
    expect(
      sample(text, 'siberia_stripe_webhooks_total', {
        type: 'checkout.session.completed',
        outcome: 'synced',
      }),
    ).toBe(1);
    expect(sample(text, 'siberia_stripe_webhooks_total', { type: '(unverified)', outcome: 'refused' })).toBe(
      1,
    );
    expect(sample(text, 'siberia_usage_grants_total', { kind: 'export', result: 'upgrade_required' })).toBe(
      1,
    );
    expect(sample(text, 'siberia_usage_grants_total', { kind: 'export', result: 'granted' })).toBe(1);
    expect(sample(text, 'siberia_reconcile_runs_total', { full: 'true' })).toBe(1);
    expect(sample(text, 'siberia_reconcile_items_total', { what: 'synced' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'siberia_stripe_errors_total', { where: 'http' })).toBe(1);
    expect(text).not.toMatch(/metrics@example\.com|cus_/);
  });
});
