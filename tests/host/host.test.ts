import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiberiaBridge } from '../../contracts/bridge';
import { launchChromium } from '../e2e/chromium';
import { type Companion, startCompanion } from './companion';
import { startTestHost, type TestHost } from './index';

declare global {
  interface Window {
    siberia: SiberiaBridge;
    seen: Array<{ event: string; payload: unknown }>;
  }
}

let companion: Companion;
let browser: Browser;
let host: TestHost;
let page: Page;
let dir: string;

beforeAll(async () => {
  companion = await startCompanion();
  dir = mkdtempSync(path.join(tmpdir(), 'siberia-host-'));
  const rendererDir = path.join(dir, 'renderer');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(rendererDir);
  writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><html><head><title>host</title><script src="/app.js"></script></head><body></body></html>',
  );
  // The page's own script subscribes to events, as the renderer would.
  writeFileSync(
    path.join(rendererDir, 'app.js'),
    "window.seen = []; for (const e of ['account.changed', 'entitlements.changed', 'checkout.changed', 'notice']) window.siberia.on(e, (payload) => window.seen.push({ event: e, payload }));",
  );
  writeFileSync(path.join(rendererDir, 'child.html'), '<!doctype html><p>child</p>');
  host = await startTestHost({
    serverUrl: companion.url,
    dataDir: path.join(dir, 'data'),
    rendererDir,
    checkoutOrigins: [companion.emulator.url],
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await host.attach(page);
  await page.goto(host.url);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await companion?.close();
  rmSync(dir, { recursive: true, force: true });
});

const seen = (event: string) =>
  page.evaluate((e) => window.seen.filter((s) => s.event === e).map((s) => s.payload), event);

describe('test host', () => {
  it('serves the renderer with the strict CSP, and nothing outside its folder', async () => {
    const res = await fetch(host.url);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${host.url}..%2f..%2fdata/settings.json`)).status).toBe(404);
    expect((await fetch(`${host.url}%2e%2e/data/settings.json`)).status).toBe(404);
  });

  it('exposes exactly the bridge methods in the page, and validates input like the app', async () => {
    const shape = await page.evaluate(() =>
      Object.fromEntries(
        Object.entries(window.siberia).map(([k, v]) => [
          k,
          typeof v === 'function' ? 'fn' : Object.keys(v).sort(),
        ]),
      ),
    );
    expect(shape.account).toEqual([
      'devices',
      'getState',
      'requestPasswordReset',
      'signIn',
      'signOut',
      'signOutDevice',
      'signUp',
    ]);
    expect(shape.billing).toEqual([
      'cancelCheckout',
      'confirmPayment',
      'getCheckout',
      'getPlans',
      'listInvoices',
      'openInvoice',
      'openPortal',
      'reopenCheckout',
      'startCheckout',
    ]);
    expect(shape.gate).toEqual([
      'authorize',
      'beginRender',
      'beginStems',
      'finishRender',
      'finishStems',
      'release',
      'saveRender',
      'writeRender',
      'writeStem',
    ]);
    expect(shape.on).toBe('fn');
    const bad = await page.evaluate(() => window.siberia.account.signIn({ email: 5 } as never));
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation_error' } });
    const info = await page.evaluate(() => window.siberia.app.getInfo());
    expect(info).toMatchObject({
      ok: true,
      value: { serverUrl: companion.url, deviceId: host.services.deviceId },
    });
  });

  it('refuses calls from a frame other than the main one', async () => {
    await page.evaluate(() => {
      const f = document.createElement('iframe');
      f.src = '/child.html';
      document.body.append(f);
      return new Promise((r) => f.addEventListener('load', r));
    });
    const child = page.frames().find((f) => f !== page.mainFrame());
    expect(child).toBeDefined();
    const answer = await child?.evaluate(() =>
      (globalThis as unknown as { __siberiaInvoke(n: string, i: unknown): Promise<unknown> }).__siberiaInvoke(
        'app.getInfo',
        undefined,
      ),
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('signs up from the page, pushes events, buys Pro through a deep link, and saves a render', async () => {
    const up = await page.evaluate(() =>
      window.siberia.account.signUp({ email: 'host@example.com', password: 'a long password' }),
    );
    expect(up).toMatchObject({ ok: true, value: { status: 'signed_in' } });
    await expect
      .poll(() => seen('account.changed'))
      .toContainEqual(expect.objectContaining({ status: 'signed_in' }));

    const prices = await page.evaluate(() => window.siberia.billing.getPlans());
    expect(prices).toMatchObject({
      ok: true,
      value: { prices: [{ interval: 'month' }, { interval: 'year' }] },
    });
    const start = await page.evaluate(
      (priceId) => window.siberia.billing.startCheckout({ priceId }),
      companion.prices.monthly,
    );
    expect(start).toMatchObject({ ok: true, value: { phase: 'pending', priceId: companion.prices.monthly } });
    const opened = await host.waitForOpenedUrl();
    expect(new URL(opened).origin).toBe(companion.emulator.url);

    // A forged link (a state we never made) changes nothing.
    await host.deliverDeepLink(`siberiamix://checkout/success?session_id=cs_test_x&state=${'f'.repeat(32)}`);
    expect(host.services.checkout.status().phase).toBe('pending');

    const link = await companion.pay(opened);
    await host.deliverDeepLink(link, 'second-instance');
    await expect
      .poll(async () => (await seen('checkout.changed')).at(-1))
      .toMatchObject({ phase: 'success' });
    expect((await seen('entitlements.changed')).at(-1)).toMatchObject({
      plan: 'pro',
      status: 'active',
      interval: 'month',
    });

    const bytes = await page.evaluate(async () => {
      const auth = await window.siberia.gate.authorize({ kind: 'export' });
      if (!auth.ok) return auth;
      return window.siberia.gate.saveRender({
        grantId: auth.value.id,
        data: new Uint8Array([82, 73, 70, 70, 0, 255]),
        suggestedName: '../../evil/mix.wav',
      });
    });
    const file = path.join(dir, 'data', 'exports', 'mix.wav');
    expect(bytes).toEqual({ ok: true, value: { path: file } });
    expect([...readFileSync(file)]).toEqual([82, 73, 70, 70, 0, 255]);
  });
});
