// What a musician does in the app, as Playwright steps on the real renderer. Kept in one place so
// the scenarios read as stories and a change of wording is fixed once.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { AuthResponse, BillingMeResponse } from '../../contracts/api';
import { isPartialFile } from '../../electron/main/node-files';
import { encodeWav } from '../../engine/io/wav';
import { noiseSong, sineSegments } from '../../engine/test-support/signals';
import type { App, Stack } from './stack';

export const PASSWORD = 'correct horse battery';

/** The files saved in a folder: not the hidden partial files of a write still going on. */
export function savedFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => !isPartialFile(name));
}
export const SHOTS_DIR = path.resolve('tests/e2e/screenshots');

/** Screenshots kept as test artefacts (git-ignored): one per screen a scenario reaches. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`) });
}

/** Two stems made by the engine: a "drum" noise loop and a "bass" sine, 6 s, 48 kHz stereo. */
export function writeStems(dir: string): { drums: string; bass: string; seconds: number } {
  mkdirSync(dir, { recursive: true });
  const drums = path.join(dir, 'drums.wav');
  const bass = path.join(dir, 'bass.wav');
  writeFileSync(drums, encodeWav(noiseSong(6, 48000, 7), { format: 'wav16', ditherSeed: 1 }));
  writeFileSync(bass, encodeWav(sineSegments([[-12, 6]], { freq: 110 }), { format: 'wav16', ditherSeed: 2 }));
  return { drums, bass, seconds: 6 };
}

export async function signUp(page: Page, email: string): Promise<void> {
  await page.getByRole('button', { name: /Account/ }).click();
  await page.getByRole('menuitem', { name: 'Create account' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.getByRole('button', { name: /Account/ }).click();
  await page.getByRole('menuitem', { name: 'Sign in' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Account/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
}

export async function importStems(page: Page, files: string[]): Promise<void> {
  await page.locator('[data-testid="import-input"]').first().setInputFiles(files);
  await expect
    .poll(() => page.getByRole('textbox', { name: 'Track name' }).count(), { timeout: 20_000 })
    .toBe(files.length);
}

/** Fader, pan, mute and solo, from the keyboard as well as the mouse. */
export async function mix(page: Page): Promise<void> {
  const strips = page
    .getByRole('listitem')
    .filter({ has: page.getByRole('textbox', { name: 'Track name' }) });
  const first = strips.first();
  const fader = first.getByRole('slider', { name: 'Gain' });
  const faderValue = first.getByRole('status').first();
  await fader.focus();
  // From 0 dB, by keyboard: four presses of half a decibel.
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  await expect.poll(() => faderValue.innerText()).toBe('-2.0 dB');
  await fader.dblclick();
  await expect.poll(() => faderValue.innerText()).toBe('0.0 dB');
  await fader.focus();
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => faderValue.innerText()).toBe('-0.5 dB');
  const pan = first.getByRole('slider', { name: 'Pan' });
  await pan.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await expect.poll(() => first.getByRole('status').nth(1).innerText()).toMatch(/^L/);
  // Tone: the mid band's gain, frequency and width, by keyboard.
  await first.getByRole('button', { name: /^EQ, compressor and more for / }).click();
  const midGain = first.getByRole('slider', { name: 'Mid', exact: true });
  await midGain.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
  const midFreq = first.getByRole('slider', { name: 'Mid freq.' });
  const freqBefore = await midFreq.getAttribute('aria-valuetext');
  expect(freqBefore).toBe('1.00 kHz');
  await midFreq.focus();
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => midFreq.getAttribute('aria-valuetext')).not.toBe(freqBefore);
  const midQ = first.getByRole('slider', { name: 'Mid Q' });
  const qBefore = await midQ.getAttribute('aria-valuetext');
  await midQ.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => midQ.getAttribute('aria-valuetext')).not.toBe(qBefore);
  await shot(page, '01-eq-open');
  await first.getByRole('button', { name: /^EQ, compressor and more for / }).click();
  const mute = first.getByRole('button', { name: 'Mute' });
  await mute.click();
  expect(await mute.getAttribute('aria-pressed')).toBe('true');
  await mute.click();
  const solo = strips.nth(1).getByRole('button', { name: 'Solo' });
  await solo.click();
  expect(await solo.getAttribute('aria-pressed')).toBe('true');
  await solo.click();
  expect(await solo.getAttribute('aria-pressed')).toBe('false');
}

export async function playABit(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Play' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Pause' }).count(), { timeout: 5000 }).toBe(1);
  const position = page.getByRole('status', { name: 'Position' });
  await expect
    .poll(async () => (await position.innerText()).startsWith('0:00.0'), { timeout: 8000 })
    .toBe(false);
  // The meters read silence as "—", never thousands of negative LUFS.
  for (const id of ['meter-momentary', 'meter-short']) {
    const text = await page
      .locator(`[data-testid="${id}"]`)
      .innerText()
      .catch(() => '—');
    const value = Number.parseFloat(text.replace('−', '-').replace(',', '.'));
    if (!Number.isNaN(value)) expect(value).toBeGreaterThan(-70);
  }
  await page.getByRole('button', { name: 'Pause' }).click();
}

/** Header "Go Pro" → the pricing grid → "Go Pro" on the chosen period → the waiting state. */
export async function startCheckout(app: App, period: 'Monthly' | 'Annual' = 'Monthly'): Promise<void> {
  const { page } = app;
  await page.getByRole('banner').getByRole('button', { name: 'Go Pro' }).click();
  const pricing = page.getByRole('dialog', { name: 'Choose your plan' });
  await expect.poll(() => pricing.getByText(/9[.,]99/).count(), { timeout: 10_000 }).toBeGreaterThan(0);
  await pricing.getByRole('radio', { name: period }).check({ force: true });
  expect(await pricing.getByRole('radio', { name: period }).isChecked()).toBe(true);
  await pricing.getByRole('button', { name: 'Go Pro' }).click();
  await expect
    .poll(() => page.getByText('Finish your payment in the browser').count(), { timeout: 10_000 })
    .toBeGreaterThan(0);
}

/** In the "system browser": the emulator's Checkout page, a card, then the server's return page. */
export async function payInBrowser(app: App, card: string): Promise<{ tab: Page; deepLink: string | null }> {
  const tab = await app.followOpenedUrl();
  await tab.getByLabel('Card number').fill(card);
  // The form posts: wait for the page it answers (the return page, or the card's error).
  const answered = tab.waitForNavigation({ waitUntil: 'domcontentloaded' });
  await tab.getByRole('button', { name: /Subscribe|Pay/ }).click();
  await answered;
  const link = tab.locator('#open-app');
  const deepLink = (await link.count()) ? await link.getAttribute('href') : null;
  return { tab, deepLink };
}

export async function buyPro(app: App, name: string): Promise<void> {
  await startCheckout(app);
  const { tab, deepLink } = await payInBrowser(app, '4242 4242 4242 4242');
  expect(deepLink).toMatch(/^siberiamix:\/\/checkout\/success\?session_id=cs_test_/);
  await shot(tab, `${name}-return-page`);
  await tab.close();
  await app.host.deliverDeepLink(deepLink as string, 'second-instance');
  await expectText(app.page, 'Thank you — you are Pro');
}

export async function expectText(page: Page, text: string | RegExp, timeout = 15_000): Promise<void> {
  await expect.poll(() => page.getByText(text).count(), { timeout }).toBeGreaterThan(0);
}

export async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByRole('dialog').count(), { timeout: 5000 }).toBe(0);
}

/** What main believes, read through the same bridge the renderer uses. */
export async function planOf(page: Page): Promise<string> {
  const state = await page.evaluate(() => window.siberia.entitlements.get());
  if (!state.ok) throw new Error(state.error.message);
  return state.value.plan;
}

export async function checkoutPhase(page: Page): Promise<string> {
  const state = await page.evaluate(() => window.siberia.billing.getCheckout());
  if (!state.ok) throw new Error(state.error.message);
  return state.value.phase;
}

/** Asks the server directly, as the musician's account. */
export async function billingMeOf(stack: Stack, email: string): Promise<BillingMeResponse> {
  const login = await fetch(`${stack.server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const { accessToken } = AuthResponse.parse(await login.json());
  const me = await fetch(`${stack.server.url}/api/billing/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return BillingMeResponse.parse(await me.json());
}

/** Settings → Language, as the musician would switch it; the desk answers in that language. */
export async function speak(page: Page, locale: 'en' | 'fr'): Promise<void> {
  await page.getByRole('button', { name: /Account|Compte/ }).click();
  await page.getByRole('menuitem', { name: /Settings|Réglages/ }).click();
  await page
    .getByTestId('settings')
    .getByLabel(locale === 'en' ? 'English' : 'Français')
    .check();
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
}

/** "Export mix", then the export dialog's Export on the project's choices (the export was granted). */
export async function exportMix(page: Page, label = 'Export mix'): Promise<void> {
  await page.getByRole('button', { name: label, exact: true }).click();
  const dialog = page.getByTestId('export-dialog');
  await dialog.waitFor({ timeout: 15_000 });
  await dialog.locator('button[type="submit"]').click();
}
