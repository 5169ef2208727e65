// What you hear is what you export: the preview's mix worklet (the Vite build's own file) renders a
// session with every control moved in an OfflineAudioContext, and it equals the engine's renderMix
// within −90 dBFS. Needs `npm run build` first.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../e2e/chromium';
import { bundlePageScript } from '../support/page-script';
import type { NullResult } from './mix-null.page';
import { builtMixWorklet, securePage } from './secure-page';

const here = path.dirname(fileURLToPath(import.meta.url));
let browser: Browser;
let page: Page;
let worklet: string;

beforeAll(async () => {
  worklet = builtMixWorklet();
  const script = await bundlePageScript(path.join(here, 'mix-null.page.ts'));
  browser = await launchChromium();
  page = await securePage(browser, 'mix-null', script);
});
afterAll(() => browser?.close());

describe('the preview is the export', () => {
  it('a session with every control moved, rendered by the worklet, nulls against renderMix below −90 dBFS', async () => {
    const result = await page.evaluate(
      (code) => (globalThis as unknown as { __mixNull(c: string): Promise<NullResult> }).__mixNull(code),
      worklet,
    );
    console.log(`mix null test: ${JSON.stringify(result)}`);
    // A real signal, with the reverb bus in it, starting on the frame play() scheduled.
    expect(result.peakDb).toBeGreaterThan(-12);
    expect(result.busDb).toBeGreaterThan(-40);
    expect(result.startFrame).toBe(result.scheduledFrame);
    expect(result.leadDb).toBe(Number.NEGATIVE_INFINITY);
    expect(result.diffDb).toBeLessThan(-90);
    // In fact the same code on the same numbers: sample for sample the same floats.
    expect(result.sameSamples).toBe(1);
  });
});
