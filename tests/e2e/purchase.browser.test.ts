// Scenarios 1–3: a new musician mixes for free, meets the Pro wall, buys Pro in the browser,
// exports and masters. The real renderer in Chromium, the real main services, server and Stripe SDK
// against the emulator's signed webhooks.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../engine/io/wav';
import { measureLoudness } from '../../engine/loudness/meter';
import {
  buyPro,
  expectText,
  exportMix,
  importStems,
  mix,
  playABit,
  savedFiles,
  shot,
  signUp,
  writeStems,
} from './musician';
import { type App, type Stack, startStack } from './stack';

describe('a musician buys Pro and exports', { timeout: 120_000 }, () => {
  let stack: Stack;
  let app: App;
  let stems: ReturnType<typeof writeStems>;

  beforeAll(async () => {
    stack = await startStack();
    app = await stack.openApp('buyer');
    stems = writeStems(path.join(stack.dataDir, 'stems'));
  });
  afterAll(() => stack?.stop());

  it('1. mixes for free, and "Export mix" is reserved for Pro: no file written', async () => {
    const { page } = app;
    await shot(page, '01-empty-desk');
    await signUp(page, 'new.musician@example.com');
    await importStems(page, [stems.drums, stems.bass]);
    await mix(page);
    await playABit(page);
    await shot(page, '01-desk-two-tracks');
    await page.getByRole('button', { name: 'Export mix' }).click();
    await expectText(page, 'Reserved for Pro subscribers');
    await shot(page, '01-reserved-for-pro');
    expect(savedFiles(app.exportsDir)).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Not now' }).click();
  });

  it('2. goes Pro monthly in the browser, comes back by deep link, and exports a WAV', async () => {
    const { page } = app;
    await buyPro(app, '02');
    await shot(page, '02-you-are-pro');
    // Keyboard: the thank-you dialog has focus, so Escape closes it.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await exportMix(page);
    await expect.poll(() => savedFiles(app.exportsDir).length, { timeout: 30_000 }).toBe(1);
    const file = path.join(app.exportsDir, savedFiles(app.exportsDir)[0] as string);
    await expect
      .poll(() => existsSync(file) && readFileSync(file).length > 44, { timeout: 10_000 })
      .toBe(true);
    const audio = decodeWav(new Uint8Array(readFileSync(file)));
    expect(audio.channels).toHaveLength(2);
    expect(audio.sampleRate).toBe(48000);
    expect(audio.channels[0]?.length).toBe(stems.seconds * 48000);
    const loudness = measureLoudness(audio);
    expect(loudness.integratedLufs).not.toBeNull();
    expect(loudness.integratedLufs as number).toBeGreaterThan(-40);
    await expectText(page, '1/500 exports · 0/200 masters');
    await shot(page, '02-exported');
  });

  it('3. masters the mix: before/after shown, the master saved at -14 LUFS under -1 dBTP', async () => {
    const { page } = app;
    const before = new Set(savedFiles(app.exportsDir));
    await page.getByRole('button', { name: 'Master', exact: true }).click();
    const report = page.getByRole('dialog', { name: 'Your master is ready' });
    await expect.poll(() => report.count(), { timeout: 60_000 }).toBe(1);
    const text = await report.innerText();
    expect(text).toContain('Before');
    expect(text).toContain('After');
    expect(text).toMatch(/-14(\.0)? LUFS|−14(\.0)? LUFS/);
    await shot(page, '03-master-report');
    await report.getByRole('button', { name: 'Save master' }).click();
    await expect
      .poll(() => savedFiles(app.exportsDir).filter((f) => !before.has(f)).length, { timeout: 30_000 })
      .toBe(1);
    const name = savedFiles(app.exportsDir).find((f) => !before.has(f)) as string;
    const file = path.join(app.exportsDir, name);
    await expect.poll(() => readFileSync(file).length > 44, { timeout: 10_000 }).toBe(true);
    const audio = decodeWav(new Uint8Array(readFileSync(file)));
    const measured = measureLoudness(audio);
    expect(Math.abs((measured.integratedLufs as number) - -14)).toBeLessThanOrEqual(0.5);
    expect(measured.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    // The use is committed once the file is whole under its name, a moment after it appears.
    await expect
      .poll(async () => {
        const state = await page.evaluate(() => window.siberia.entitlements.get());
        return state.ok && state.value.usage?.masters;
      })
      .toEqual({ used: 1, limit: 200 });
    await shot(page, '03-mastered');
  });
});
