import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { serveRendererFile } from '../../electron/main/renderer-files';
import { encodeWav } from '../../engine/index';
import { launchChromium } from '../e2e/chromium';
import { type ScriptedState, scriptedBridgeScript, scriptedState } from './scripted-bridge';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RENDERER_DIR = path.resolve(here, '..', '..', 'dist', 'renderer');

/** The renderer build over plain HTTP with the app:// handler's own answers (its CSP included). */
export async function serveRenderer(dir = RENDERER_DIR): Promise<{ url: string; close(): Promise<void> }> {
  if (!existsSync(path.join(dir, 'index.html')))
    throw new Error(`No renderer build in ${dir}: run "npm run build" first.`);
  const server: Server = createServer(async (req, res) => {
    const r = await serveRendererFile(dir, new URL(req.url ?? '/', 'http://x').pathname);
    res.writeHead(r.status, r.headers).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export type Desk = {
  browser: Browser;
  server: { url: string; close(): Promise<void> };
  close(): Promise<void>;
};

export async function startDesk(): Promise<Desk> {
  const server = await serveRenderer();
  const browser = await launchChromium();
  return {
    browser,
    server,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** A page with the scripted bridge, at 1280×720, once the desk says it is ready. */
export async function openDesk(
  desk: Desk,
  state: Partial<ScriptedState> = {},
  scale = 1,
  /** A script run in the page before anything else (a test's watch on messages, say). */
  firstScript?: string,
): Promise<Page> {
  const page = await desk.browser.newPage({
    viewport: { width: 1280, height: 720 },
    deviceScaleFactor: scale,
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (firstScript) await page.addInitScript(firstScript);
  await page.addInitScript(`window.__scriptedState = ${JSON.stringify(scriptedState(state))};`);
  await page.addInitScript(await scriptedBridgeScript());
  await page.goto(desk.server.url);
  await page.waitForSelector('html[data-ready="true"]');
  if (errors.length > 0) throw new Error(`page errors: ${errors.join('\n')}`);
  return page;
}

/** A stereo WAV: a tone with a slow swell, so the waveform and the meters have something to show. */
export function toneWav(seconds = 2, freq = 220, sampleRate = 48000): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    const envelope = 0.25 + 0.2 * Math.sin(2 * Math.PI * 0.7 * t) ** 2;
    left[i] = envelope * Math.sin(2 * Math.PI * freq * t);
    right[i] = envelope * Math.sin(2 * Math.PI * freq * 1.5 * t);
  }
  return Buffer.from(encodeWav({ sampleRate, channels: [left, right] }, { format: 'wav16', ditherSeed: 1 }));
}

export async function importWav(page: Page, name: string, wav: Buffer = toneWav()): Promise<void> {
  const before = await page.locator('[data-testid="strip"]').count();
  await page.setInputFiles('[data-testid="import-input"]', { name, mimeType: 'audio/wav', buffer: wav });
  await page.locator('[data-testid="strip"]').nth(before).waitFor();
}

export function scriptedCalls(page: Page): Promise<{ name: string; input: unknown }[]> {
  return page.evaluate(
    () =>
      (window as unknown as { __scripted: { calls: { name: string; input: unknown }[] } }).__scripted.calls,
  );
}

export function emit(page: Page, event: string, payload: unknown): Promise<void> {
  return page.evaluate(
    ([e, p]) =>
      (window as unknown as { __scripted: { emit(e: string, p: unknown): void } }).__scripted.emit(e, p),
    [event, payload] as const,
  );
}

export function setScripted(page: Page, patch: Partial<ScriptedState>): Promise<void> {
  return page.evaluate((p) => {
    Object.assign((window as unknown as { __scripted: { state: object } }).__scripted.state, p);
  }, patch);
}

/** "Export mix", then the export dialog's Export on the project's choices (the export was granted). */
export async function exportMix(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Export mix' }).click();
  const dialog = page.getByTestId('export-dialog');
  await dialog.waitFor({ timeout: 15_000 });
  await dialog.locator('button[type="submit"]').click();
}

/** How many samples of a and b differ, over every channel. */
export function differing(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let n = 0;
  a.forEach((x, c) => {
    const y = b[c] as Float32Array;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) n++;
  });
  return n;
}
