// The renderer as the real main bundle serves it: every response Chromium gets here comes from main's
// app:// protocol handler (CSP header included; Chromium cannot load an unregistered app:// scheme,
// so a plain HTTP server hands main's answers on unchanged), and the desk plays (AudioWorklet meters) and renders
// an export (engine Worker) under that exact policy without a single violation. The bridge is the
// scripted one of the renderer tests (main's IPC is covered by the other harness suites).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../electron/main/renderer-files';
import { launchChromium } from '../e2e/chromium';
import { importWav, toneWav } from '../renderer/harness';
import { proEntitlements, scriptedBridgeScript, scriptedState, signedIn } from '../renderer/scripted-bridge';
import { buildElectronBundles, type LaunchedMain, launchMain } from './main-harness';

let browser: Browser;
let m: LaunchedMain;

beforeAll(async () => {
  buildElectronBundles();
  m = launchMain();
  await m.ready();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('the desk under main’s CSP', () => {
  it('loads, plays and renders in its Worker with no policy violation', async () => {
    const page = await browser.newPage();
    const served: Array<{ path: string; csp: string | null }> = [];
    // Each request is answered by main's app:// handler, byte for byte and header for header.
    // (Playwright's request routing cannot be used: it does not see AudioWorklet module fetches.)
    const server = createServer(async (req, res) => {
      const { pathname } = new URL(req.url ?? '/', 'http://x');
      const answer = await m.fetchApp(`app://siberia${pathname}`);
      served.push({ path: pathname, csp: answer.headers.get('content-security-policy') });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`Refused to load ${e.blockedURI} (${e.violatedDirective}) Content Security Policy`);
      });
    });
    const state = scriptedState({ account: signedIn(), entitlements: proEntitlements(5) });
    await page.addInitScript(`window.__scriptedState = ${JSON.stringify(state)};`);
    await page.addInitScript(await scriptedBridgeScript());
    await page.goto(`${origin}/index.html`);
    await page.waitForSelector('html[data-ready="true"]');

    await importWav(page, 'Tone.wav', toneWav(3));
    await page.getByRole('button', { name: 'Play' }).click();
    await expect
      .poll(() => page.getByTestId('meter-momentary').innerText(), { timeout: 10_000 })
      .toMatch(/LUFS$/);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Export mix' }).click();
    // The export dialog (granted), then its Export on the project's choices.
    await page.getByTestId('export-dialog').locator('button[type="submit"]').click();
    await page.getByText(/^Saved to /).waitFor({ timeout: 20_000 });

    expect(violations).toEqual([]);
    expect(served.length).toBeGreaterThan(2);
    // The worklet and both Workers came through main too.
    expect(served.map((s) => s.path)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/meter-tap\.worklet-.*\.js$/),
        expect.stringMatching(/meter\.worker-.*\.js$/),
        expect.stringMatching(/engine\.worker-.*\.js$/),
      ]),
    );
    for (const s of served) expect(s.csp, s.path).toBe(RENDERER_CSP);
    await page.close();
    server.close();
  });
});
