// What you hear is what you export: the desk's preview (the mix worklet) and the engine's render, fed
// the same track, land on the same level per side for gain, pan (mono and stereo) and each EQ band.
// Needs `npm run build` first (the worklet is the build's own file).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePageScript } from '../support/page-script';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../e2e/chromium';
import type { LawCase } from './preview-laws.page';
import { builtMixWorklet, securePage } from './secure-page';

const here = path.dirname(fileURLToPath(import.meta.url));
let browser: Browser;
let page: Page;
let worklet: string;

beforeAll(async () => {
  const script = await bundlePageScript(path.join(here, 'preview-laws.page.ts'));
  browser = await launchChromium();
  worklet = builtMixWorklet();
  page = await securePage(browser, 'preview-laws', script);
});
afterAll(() => browser?.close());

const eq = (low: number, mid: number, high: number) => ({
  low: { gainDb: low, freqHz: 120 },
  mid: { gainDb: mid, freqHz: 1000, q: 1.2 },
  high: { gainDb: high, freqHz: 8000 },
});

const cases: [string, LawCase][] = [
  ['gain −6 dB, centre (−3 dB pan law)', { freq: 440, channels: 2, patch: { gainDb: -6 } }],
  ['mono source panned left', { freq: 440, channels: 1, patch: { pan: -0.6 } }],
  ['stereo source panned right, +3 dB', { freq: 440, channels: 2, patch: { pan: 0.8, gainDb: 3 } }],
  ['low shelf +6 dB at 60 Hz', { freq: 60, channels: 2, patch: { eq: eq(6, 0, 0) } }],
  ['peak −9 dB at 1 kHz', { freq: 1000, channels: 2, patch: { eq: eq(0, -9, 0) } }],
  ['peak +4 dB heard beside it at 1.5 kHz', { freq: 1500, channels: 2, patch: { eq: eq(0, 4, 0) } }],
  ['high shelf −8 dB at 12 kHz', { freq: 12000, channels: 2, patch: { eq: eq(0, 0, -8) } }],
];

describe('preview follows the engine', () => {
  for (const [name, c] of cases) {
    it(name, async () => {
      const result = await page.evaluate(
        (lawCase) =>
          (
            globalThis as unknown as {
              __previewLaws(c: unknown, code: string): Promise<{ preview: number[]; engine: number[] }>;
            }
          ).__previewLaws(lawCase.c, lawCase.worklet),
        { c, worklet },
      );
      for (let ch = 0; ch < 2; ch++) expect(result.preview[ch]).toBeCloseTo(result.engine[ch] as number, 1);
    });
  }
});
