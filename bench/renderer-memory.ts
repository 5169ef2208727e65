// The renderer's memory per second of imported stereo audio (issue 20: one shared copy of each
// decoded source). A desk imports STEMS stereo stems of SECONDS each, 16-bit and then 24-bit WAV, at
// the AudioContext's rate; the memory held is read before and after, garbage collected first (page and
// Workers). The figure that counts everything (the page, the engine Worker, the worklet's thread,
// AudioBuffers) is the proportional set size of the browser's renderer processes (Linux /proc);
// measureUserAgentSpecificMemory() (JavaScript memory only, isolated pages only) is given beside it.
// Run alone: `npx tsx bench/renderer-memory.ts` after `npm run build` (bench/renderer.ts runs it too).
// BENCH_MEMORY_RENDERER_DIR serves another build; BENCH_MEMORY_NO_COEP=1 serves it without the
// isolation headers (as main served the renderer before them).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { encodeWav } from '../engine/index';
import { launchChromium } from '../tests/e2e/chromium';
import { type Desk, importWav, openDesk, RENDERER_DIR, toneWav } from '../tests/renderer/harness';
import { collectGarbage, rendererPss, serve } from './renderer-pss';

const STEMS = Number(process.env.BENCH_MEMORY_STEMS ?? 4);
const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 30);

export type SourceMemory = {
  bits: 16 | 24;
  stems: number;
  secondsEach: number;
  sampleRate: number;
  isolated: boolean;
  /** Renderer processes' PSS after the imports minus before, bytes. */
  rendererPssDelta: number;
  /** Of which the file's own bytes, kept in the page by the test bridge (the app keeps them in main). */
  fileBytesKeptByBridge: number;
  /** (PSS delta − the kept files) per second of imported stereo audio. */
  bytesPerSecond: number;
  /** measureUserAgentSpecificMemory's delta per second (JavaScript memory), when the page is isolated. */
  jsBytesPerSecond: number | null;
};

const jsBytes = (page: Page): Promise<number | null> =>
  page.evaluate(async () => {
    const p = performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
    if (!crossOriginIsolated || !p.measureUserAgentSpecificMemory) return null;
    return (await p.measureUserAgentSpecificMemory()).bytes;
  });

export async function measureSourceMemory(
  dir = process.env.BENCH_MEMORY_RENDERER_DIR ?? RENDERER_DIR,
  isolation = process.env.BENCH_MEMORY_NO_COEP !== '1',
): Promise<SourceMemory[]> {
  const results: SourceMemory[] = [];
  for (const bits of [16, 24] as const) {
    // A browser of its own per run: its renderer processes hold only this desk.
    const browser = await launchChromium([
      '--js-flags=--expose-gc',
      '--enable-blink-features=ForceEagerMeasureMemory',
    ]);
    const server = await serve(dir, isolation);
    const desk: Desk = { browser, server, close: async () => {} };
    const stemsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
    try {
      const page = await openDesk(desk);
      const sampleRate = await page.evaluate(async () => {
        const context = new AudioContext();
        const rate = context.sampleRate;
        await context.close();
        return rate;
      });
      const files = Array.from({ length: STEMS }, (_, i) => {
        const wav = toneWav(SECONDS, 110 * (i + 1), sampleRate);
        if (bits === 16) return wav;
        return Buffer.from(
          encodeWav(
            { sampleRate, channels: [0, 1].map(() => new Float32Array(SECONDS * sampleRate).fill(0.25)) },
            {
              format: 'wav24',
            },
          ),
        );
      });
      // A short stem first: the AudioContext, its worklet and the meter start, and are not counted.
      await importWav(page, 'Warm-up.wav', toneWav(1, 440, sampleRate));
      await page.waitForTimeout(1500);
      await collectGarbage(page);
      const pss0 = rendererPss();
      const js0 = await jsBytes(page);
      // Files on disk, handed over by path as a file picker does: no copy of them passes through the
      // page's JavaScript heap on the way in (bytes handed by value would, as base64 strings).
      for (const [i, wav] of files.entries()) {
        const file = path.join(stemsDir, `Stem ${i + 1}.wav`);
        writeFileSync(file, wav);
        const before = await page.locator('[data-testid="strip"]').count();
        await page.setInputFiles('[data-testid="import-input"]', file);
        await page.locator('[data-testid="strip"]').nth(before).waitFor({ timeout: 60_000 });
      }
      // The preview's worklet has its sources once the desk's AudioContext runs it.
      await page.waitForTimeout(1500);
      await collectGarbage(page);
      const pss1 = rendererPss();
      const js1 = await jsBytes(page);
      const kept = files.reduce((n, f) => n + f.byteLength, 0);
      const seconds = STEMS * SECONDS;
      results.push({
        bits,
        stems: STEMS,
        secondsEach: SECONDS,
        sampleRate,
        isolated: await page.evaluate(() => crossOriginIsolated),
        rendererPssDelta: pss1 - pss0,
        fileBytesKeptByBridge: kept,
        bytesPerSecond: Math.round((pss1 - pss0 - kept) / seconds),
        jsBytesPerSecond: js0 !== null && js1 !== null ? Math.round((js1 - js0) / seconds) : null,
      });
      await page.close();
    } finally {
      await browser.close();
      await server.close();
      rmSync(stemsDir, { recursive: true, force: true });
    }
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await measureSourceMemory();
  console.log(JSON.stringify(results, null, 2));
}
