// Scenarios 14–16 (issue 15): only delivered work is counted, devices are bounded, and every
// refusal says what is true, in English and in French.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  billingMeOf,
  buyPro,
  expectText,
  exportMix,
  importStems,
  savedFiles,
  shot,
  signIn,
  signUp,
  writeStems,
} from './musician';
import { type App, type Stack, startStack } from './stack';

describe('usage: reservations, devices and honest refusals', { timeout: 240_000 }, () => {
  let stack: Stack;
  let stems: ReturnType<typeof writeStems>;
  beforeAll(async () => {
    stack = await startStack({
      PRO_EXPORTS_PER_MONTH: '2',
      PRO_MASTERS_PER_MONTH: '2',
      FREE_TRIAL_EXPORTS: '1',
    });
    stems = writeStems(path.join(stack.dataDir, 'stems'));
  });
  afterAll(() => stack?.stop());

  const gauge = (page: Page) => page.getByTestId('usage-gauge').innerText();
  const dialog = (page: Page) => page.getByRole('dialog');
  const refusalOf = async (app: App, button: string, testId: string) => {
    await app.page.getByRole('button', { name: button, exact: true }).click();
    const modal = app.page.getByTestId(testId);
    await expect.poll(() => modal.count(), { timeout: 30_000 }).toBe(1);
    return modal.innerText();
  };
  const notNow = async (page: Page, label = 'Not now') => {
    await dialog(page).getByRole('button', { name: label }).click();
    await expect.poll(() => dialog(page).count()).toBe(0);
  };
  const proWithStems = async (name: string, locale: 'en' | 'fr' = 'en') => {
    const app = await stack.openApp(name, { locale });
    await signUp(app.page, `${name}@example.com`);
    await buyPro(app, name);
    await dialog(app.page).getByRole('button', { name: 'Close' }).last().click();
    await importStems(app.page, [stems.drums, stems.bass]);
    return app;
  };

  it('14. a Pro musician cancels an export and discards a master: the header does not move', async () => {
    const app = await proWithStems('cancels');
    await expectText(app.page, '0/2 exports · 0/2 masters');
    // The musician cancels the save dialog (asked before the mix is rendered and written).
    app.saveDialog.cancel = true;
    await exportMix(app.page);
    await expectText(app.page, 'Saving cancelled: nothing was counted.', 30_000);
    await shot(app.page, '14-export-cancelled');
    app.saveDialog.cancel = false;
    // The master renders, is listened to, and discarded.
    await app.page.getByRole('button', { name: 'Master', exact: true }).click();
    const report = app.page.getByRole('dialog', { name: 'Your master is ready' });
    await expect.poll(() => report.count(), { timeout: 60_000 }).toBe(1);
    await report.getByRole('button', { name: 'Discard' }).click();
    await expectText(app.page, 'Master discarded: nothing was counted.');
    await shot(app.page, '14-master-discarded');
    expect(savedFiles(app.exportsDir)).toEqual([]);
    await app.page.evaluate(() => window.siberia.entitlements.refresh());
    expect(await gauge(app.page)).toBe('0/2 exports · 0/2 masters');
    expect(await billingMeOf(stack, 'cancels@example.com')).toMatchObject({
      exportsUsed: 0,
      exportsReserved: 0,
      mastersUsed: 0,
      mastersReserved: 0,
    });
    // A file that is written counts, once.
    await exportMix(app.page);
    await expect.poll(() => savedFiles(app.exportsDir).length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => gauge(app.page)).toBe('1/2 exports · 0/2 masters');
    await shot(app.page, '14-one-export-counted');
    await app.close();
  });

  it('15. three devices hold the account; a fourth is refused, and signing one out frees its place', async () => {
    const first = await proWithStems('devices');
    const others: App[] = [];
    for (const name of ['devices-laptop', 'devices-studio']) {
      const app = await stack.openApp(name);
      await signIn(app.page, 'devices@example.com');
      await expect
        .poll(() => app.page.getByTestId('plan-badge').innerText(), { timeout: 10_000 })
        .toBe('PRO');
      others.push(app);
    }
    const fourth = await stack.openApp('devices-fourth');
    await signIn(fourth.page, 'devices@example.com');
    await importStems(fourth.page, [stems.drums]);
    const text = await refusalOf(fourth, 'Export mix', 'refusal-device_limit');
    expect(text).toContain('This account is on too many devices');
    expect(text).toContain('Siberia Mix Pro works on 3 devices at once.');
    await shot(fourth.page, '15-fourth-device-refused');
    await dialog(fourth.page).getByRole('button', { name: 'See devices' }).click();
    const list = fourth.page.getByTestId('devices');
    await expect.poll(() => list.getByTestId('device').count(), { timeout: 10_000 }).toBe(3);
    await shot(fourth.page, '15-devices-list');
    await list.getByTestId('device').first().getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => list.getByTestId('device').count()).toBe(2);
    await list.getByRole('button', { name: 'Close' }).last().click();
    // Its place is the fourth's now.
    await exportMix(fourth.page);
    await expect.poll(() => savedFiles(fourth.exportsDir).length, { timeout: 30_000 }).toBe(1);
    expect(savedFiles(first.exportsDir)).toEqual([]);
    // Each app is a Chromium page with its own audio: closed once done, so the next tests keep the
    // machine (eight open desks starved scenario 16's exports of time).
    for (const app of [first, ...others, fourth]) await app.close();
  });

  /** Settings → Language, as the musician would switch it; the desk answers in that language. */
  const speak = async (page: Page, locale: 'en' | 'fr') => {
    await page.getByRole('button', { name: /Account|Compte/ }).click();
    await page.getByRole('menuitem', { name: /Settings|Réglages/ }).click();
    await page
      .getByTestId('settings')
      .getByLabel(locale === 'en' ? 'English' : 'Français')
      .check();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog(page).count()).toBe(0);
  };
  const WORDS = {
    en: { export: 'Export mix', master: 'Master', notNow: 'Not now' },
    fr: { export: 'Exporter le mix', master: 'Mastériser', notNow: 'Plus tard' },
  };

  // Scenario 16 in three parts (signed out; the free trial; Pro at its limit, then offline), each
  // with its own time: the words of every refusal, read and photographed in English and in French.
  const copies: Record<string, string> = {};
  /** The refusal `button` meets, read and photographed, then put away. */
  const meet = async (app: App, locale: 'en' | 'fr', button: 'export' | 'master', reason: string) => {
    copies[`${reason}-${locale}`] = await refusalOf(app, WORDS[locale][button], `refusal-${reason}`);
    await shot(app.page, `16-${reason}-${locale}`);
    await notNow(app.page, WORDS[locale].notNow);
  };

  it('16a. signed out, each refusal says what is true, in English and in French', async () => {
    const guest = await stack.openApp('guest');
    await importStems(guest.page, [stems.drums]);
    await meet(guest, 'en', 'export', 'signed_out');
    await speak(guest.page, 'fr');
    await meet(guest, 'fr', 'export', 'signed_out');
    expect(copies['signed_out-en']).toContain('Sign in to export');
    expect(copies['signed_out-fr']).toContain('Connectez-vous pour exporter');
    await guest.close();
  });

  it('16b. on the free trial, each refusal says what is true, in English and in French', async () => {
    // Free with its one-export trial: masters are for Pro; once the export is used, the trial is over.
    const free = await stack.openApp('trial');
    await signUp(free.page, 'trial@example.com');
    await importStems(free.page, [stems.drums]);
    await meet(free, 'en', 'master', 'upgrade_required');
    await exportMix(free.page);
    await expect.poll(() => savedFiles(free.exportsDir).length, { timeout: 30_000 }).toBe(1);
    await meet(free, 'en', 'export', 'trial_exhausted');
    await speak(free.page, 'fr');
    await meet(free, 'fr', 'master', 'upgrade_required');
    await meet(free, 'fr', 'export', 'trial_exhausted');
    expect(copies['upgrade_required-en']).toContain('Reserved for Pro subscribers');
    expect(copies['upgrade_required-fr']).toContain('Réservé aux abonnés Pro');
    expect(copies['upgrade_required-fr']).toContain('Passer en Pro');
    expect(copies['trial_exhausted-en']).toContain('Free trial used – go Pro');
    expect(copies['trial_exhausted-fr']).toContain('Quota dépassé – passez en Pro');
    expect(copies['trial_exhausted-fr']).toContain('Votre essai gratuit est épuisé (exports : 1/1)');
    await free.close();
  });

  it('16c. Pro at its limit, then offline, each refusal says what is true, in English and in French', async () => {
    const pro = await proWithStems('limit');
    for (let i = 1; i <= 2; i++) {
      await exportMix(pro.page);
      await expect.poll(() => savedFiles(pro.exportsDir).length, { timeout: 30_000 }).toBe(i);
    }
    await meet(pro, 'en', 'export', 'quota_exceeded');
    await speak(pro.page, 'fr');
    await meet(pro, 'fr', 'export', 'quota_exceeded');
    await stack.server.close();
    try {
      await meet(pro, 'fr', 'master', 'offline_expired');
      await speak(pro.page, 'en');
      await meet(pro, 'en', 'master', 'offline_expired');
    } finally {
      await stack.restartServer();
    }
    expect(copies['quota_exceeded-en']).toContain('You have used 2 of your 2 exports this month.');
    expect(copies['quota_exceeded-fr']).toContain('Quota mensuel atteint');
    expect(copies['quota_exceeded-fr']).toContain('Vous avez utilisé 2 de vos 2 exports ce mois-ci.');
    for (const locale of ['en', 'fr']) {
      // Pro at the limit: no upgrade wording, no way to pricing.
      expect(copies[`quota_exceeded-${locale}`]).not.toMatch(
        /Go Pro|See plans|passez en Pro|Voir les offres/,
      );
    }
    expect(copies['offline_expired-en']).toMatch(/has not reached the server since \d+ \w+ \d{4}/);
    expect(copies['offline_expired-en']).toContain('Reconnect to the internet');
    expect(copies['offline_expired-fr']).toMatch(/depuis le \d+ \S+ \d{4}/);
    expect(copies['offline_expired-fr']).toContain('Reconnectez-vous');
    // « Quota dépassé – passez en Pro » is the used-up trial's words (16b), and nowhere else.
    expect(
      Object.entries(copies)
        .filter(([, text]) => text.includes('Quota dépassé'))
        .map(([k]) => k)
        .filter((k) => k !== 'trial_exhausted-fr'),
    ).toEqual([]);
    await pro.close();
  });
});
