// Scenarios 9–12: the life of a subscription after the purchase — the monthly quota, working
// offline on the token's allowance, cancelling in the portal until the period ends, and the same
// account on another sign-in and another device.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  billingMeOf,
  buyPro,
  expectText,
  importStems,
  planOf,
  shot,
  signIn,
  signOut,
  signUp,
  writeStems,
  savedFiles,
} from './musician';
import { type App, type Stack, startStack } from './stack';

const DAY = 86400;

describe('a subscription’s life', { timeout: 180_000 }, () => {
  let stack: Stack;
  let stems: ReturnType<typeof writeStems>;
  beforeAll(async () => {
    stack = await startStack({ PRO_EXPORTS_PER_MONTH: '3' });
    stems = writeStems(path.join(stack.dataDir, 'stems'));
  });
  afterAll(() => stack?.stop());

  const proWithStems = async (name: string) => {
    const app = await stack.openApp(name);
    await signUp(app.page, `${name}@example.com`);
    await buyPro(app, name);
    await app.page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
    await importStems(app.page, [stems.drums, stems.bass]);
    return app;
  };
  /** Export mix until a file lands, or a refusal shows; the count of files written. */
  const exportOnce = async (app: App): Promise<'saved' | 'refused'> => {
    const before = savedFiles(app.exportsDir).length;
    await app.page.getByRole('button', { name: 'Export mix' }).click();
    // Granted, the export dialog opens (and is exported from at once); refused, a refusal shows.
    const choose = app.page.getByTestId('export-dialog');
    const refusal = app.page
      .getByRole('dialog')
      .filter({ has: app.page.getByRole('heading') })
      .and(app.page.locator(':not([data-testid="export-dialog"])'));
    await expect
      .poll(async () => (await choose.count()) > 0 || (await refusal.count()) > 0, { timeout: 30_000 })
      .toBe(true);
    if ((await choose.count()) > 0) await choose.locator('button[type="submit"]').click();
    await expect
      .poll(async () => savedFiles(app.exportsDir).length > before || (await refusal.count()) > 0, {
        timeout: 30_000,
      })
      .toBe(true)
      .catch(async (e) => {
        await shot(app.page, `debug-export-${Date.now()}`);
        throw e;
      });
    const outcome = savedFiles(app.exportsDir).length > before ? 'saved' : 'refused';
    return outcome;
  };
  const dialogText = (page: Page) => page.getByRole('dialog').innerText();

  it('9. past the monthly quota, "Monthly quota reached" with the usage and the reset date', async () => {
    const app = await proWithStems('quota');
    for (let i = 0; i < 3; i++) expect(await exportOnce(app)).toBe('saved');
    await expectText(app.page, '3/3 exports · 0/200 masters');
    expect(await exportOnce(app)).toBe('refused');
    await expectText(app.page, 'Monthly quota reached');
    const text = await dialogText(app.page);
    expect(text).toContain('You have used 3 of your 3 exports this month');
    // Pro at the limit: nothing to buy, so no pricing link and no upgrade wording.
    expect(await app.page.getByRole('dialog').getByRole('button', { name: 'See plans' }).count()).toBe(0);
    expect(text).not.toMatch(/Go Pro|upgrade/i);
    const now = new Date();
    const reset = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(text).toContain(String(reset.getUTCFullYear()));
    expect(savedFiles(app.exportsDir)).toHaveLength(3);
    await shot(app.page, '09-quota-reached');
  });

  it('10. offline: exports go on within the allowance, then "Reconnect"; back online they count once', async () => {
    const app = await proWithStems('offline');
    expect((await billingMeOf(stack, 'offline@example.com')).exportsUsed).toBe(0);
    await stack.server.close();
    // This device's offline allowance is its share of the month: 3 exports over 3 places, one.
    try {
      expect(await exportOnce(app)).toBe('saved');
      expect(await exportOnce(app)).toBe('refused');
      await expectText(app.page, 'Reconnect to keep exporting');
      await shot(app.page, '10-reconnect');
      expect(savedFiles(app.exportsDir)).toHaveLength(1);
    } finally {
      await stack.restartServer();
    }
    await app.page.getByRole('dialog').getByRole('button', { name: 'Not now' }).click();
    // Back online: the app's next refresh reports the three uses; a second report counts nothing more.
    await app.page.evaluate(() => window.siberia.entitlements.refresh());
    await expect.poll(async () => (await billingMeOf(stack, 'offline@example.com')).exportsUsed).toBe(1);
    await app.page.evaluate(() => window.siberia.entitlements.refresh());
    expect((await billingMeOf(stack, 'offline@example.com')).exportsUsed).toBe(1);
    await expectText(app.page, '1/3 exports · 0/200 masters');
  });

  it('12. signing out and in again brings Pro back, and a second device is Pro too', async () => {
    const app = await stack.openApp('twodevices');
    await signUp(app.page, 'twodevices@example.com');
    await buyPro(app, 'twodevices');
    await app.page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
    await signOut(app.page);
    await expect.poll(() => planOf(app.page)).toBe('free');
    await signIn(app.page, 'twodevices@example.com');
    await expect.poll(() => planOf(app.page), { timeout: 10_000 }).toBe('pro');
    const other = await stack.openApp('twodevices-laptop');
    await signIn(other.page, 'twodevices@example.com');
    await expect.poll(() => planOf(other.page), { timeout: 10_000 }).toBe('pro');
    await shot(other.page, '12-second-device-pro');
  });

  // Last: it moves the emulator's clock past everyone's period end.
  it('11. the portal: cancel at period end keeps Pro; past the period end the app is free again', async () => {
    const app = await proWithStems('portal');
    await app.page.getByRole('button', { name: /Account/ }).click();
    await app.page.getByRole('menuitem', { name: 'Manage subscription' }).click();
    const portal = await app.followOpenedUrl();
    await portal.getByRole('button', { name: 'Cancel at period end' }).click();
    await expectText(portal, /Cancels on/);
    await shot(portal, '11-portal-cancelled');
    await portal.getByRole('link', { name: /Return to Siberia Mix/ }).click();
    await portal.waitForLoadState('domcontentloaded');
    const link = await portal.locator('#open-app').getAttribute('href');
    expect(link).toBe('siberiamix://portal/return');
    await stack.emulator.idle();
    await app.host.deliverDeepLink(link as string, 'open-url');
    await app.page.getByRole('button', { name: /Account/ }).click();
    await expectText(app.page, /Ends on/);
    expect(await planOf(app.page)).toBe('pro');
    await shot(app.page, '11-ends-on');
    await app.page.keyboard.press('Escape');

    await stack.emulator.advanceTime(32 * DAY);
    await stack.emulator.idle();
    await app.page.evaluate(() => window.siberia.entitlements.refresh());
    await expect.poll(() => planOf(app.page)).toBe('free');
    expect(await exportOnce(app)).toBe('refused');
    await expectText(app.page, 'Reserved for Pro subscribers');
    await shot(app.page, '11-free-again');
  });
});
