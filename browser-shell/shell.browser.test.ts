// The browser shell as `npm start` runs it: Chromium opens its URL with nothing injected by the test,
// and the desk gets window.siberia over HTTP from the shell's own preload, under the app's CSP.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiberiaBridge } from '../contracts/bridge';
import { RENDERER_CSP } from '../electron/main/renderer-files';
import { launchChromium } from '../tests/e2e/chromium';
import { type Companion, startCompanion } from '../tests/host/companion';
import { memoryKeychain } from '../tests/host/node-ports';
import { type BrowserShell, PREVIEW_LABEL, startBrowserShell } from './index';

declare global {
  interface Window {
    siberia: SiberiaBridge;
  }
}

let companion: Companion;
let shell: BrowserShell;
let browser: Browser;
let page: Page;
let dir: string;
const opened: string[] = [];
const violations: string[] = [];

beforeAll(async () => {
  companion = await startCompanion();
  dir = mkdtempSync(path.join(tmpdir(), 'siberia-shell-'));
  shell = await startBrowserShell({
    serverUrl: companion.url,
    dataDir: dir,
    checkoutOrigins: [companion.emulator.url],
    httpBridge: true,
    keychain: memoryKeychain(),
    openExternal: async (url) => {
      opened.push(url);
    },
  });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(shell.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
  await companion?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the browser shell', () => {
  it('serves the desk under the app’s CSP, labelled as the browser preview', async () => {
    const res = await fetch(shell.url);
    expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    await page.getByRole('button', { name: /Account/ }).waitFor({ timeout: 20_000 });
    await expect(page.locator('#browser-preview-label').textContent()).resolves.toContain(PREVIEW_LABEL);
    expect(violations).toEqual([]);
  });

  it('answers the desk’s bridge calls and pushes main’s events to it', async () => {
    const info = await page.evaluate(() => window.siberia.app.getInfo());
    expect(info).toMatchObject({ ok: true, value: { serverUrl: companion.url } });
    const email = `shell_${Date.now()}@example.com`;
    const seen = await page.evaluate(async (email) => {
      const events: unknown[] = [];
      const got = new Promise((resolve) =>
        window.siberia.on('account.changed', (p) => {
          events.push(p);
          resolve(p);
        }),
      );
      const answer = await window.siberia.account.signUp({ email, password: 'a long password' });
      await got;
      return { answer, events };
    }, email);
    expect(seen.answer).toMatchObject({ ok: true, value: { status: 'signed_in' } });
    expect(seen.events[0]).toMatchObject({ status: 'signed_in', user: { email } });
  });

  it('carries bytes both ways', async () => {
    const back = await page.evaluate(async () => {
      const kept = await window.siberia.project.keepAudio({
        trackId: 'shell_t1',
        data: new Uint8Array([1, 2, 250]),
      });
      const recalled = await window.siberia.project.recallAudio({ trackId: 'shell_t1' });
      return { kept, data: recalled.ok && recalled.value ? [...recalled.value.data] : null };
    });
    expect(back).toEqual({ kept: { ok: true, value: { kept: true } }, data: [1, 2, 250] });
  });

  it('opens checkout in the system browser and checks a pending purchase when the tab regains focus', async () => {
    const started = await page.evaluate(
      (priceId) => window.siberia.billing.startCheckout({ priceId }),
      companion.prices.monthly,
    );
    expect(started).toMatchObject({ ok: true, value: { phase: 'pending' } });
    expect(new URL(opened.at(-1) as string).origin).toBe(companion.emulator.url);
    await companion.pay(opened.at(-1) as string);
    // No siberiamix:// link reaches a browser tab: focus is how the preview learns of the purchase.
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect
      .poll(() =>
        page.evaluate(() => window.siberia.billing.getCheckout().then((c) => c.ok && c.value.phase)),
      )
      .toBe('success');
  });

  it('refuses bridge calls from any other origin or host name', async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${shell.url}__shell/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'account.getState' }),
      }).then((r) => r.json());
    const unauthorized = { ok: false, error: { code: 'unauthorized' } };
    expect(await call({ origin: 'https://evil.example' })).toMatchObject(unauthorized);
    expect(await call({})).toMatchObject(unauthorized);
    expect(await call({ origin: 'null' })).toMatchObject(unauthorized);
    expect(await call({ origin: shell.origin })).toMatchObject({ ok: true });
    // A page of another site whose name was made to point at 127.0.0.1 (DNS rebinding) sends its own
    // Host and Origin; fetch cannot forge Host, so plain HTTP plays that page.
    const rebound = (method: string, pathname: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${shell.url}${pathname}`,
          {
            method,
            headers: {
              host: 'rebound.example',
              origin: 'http://rebound.example',
              'content-type': 'application/json',
            },
          },
          (res) => {
            let body = '';
            res.on('data', (c) => {
              body += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end(method === 'POST' ? JSON.stringify({ name: 'account.getState' }) : undefined);
      });
    expect(JSON.parse((await rebound('POST', '__shell/invoke')).body)).toMatchObject(unauthorized);
    expect((await rebound('GET', '__shell/events')).status).toBe(404);
  });
});
