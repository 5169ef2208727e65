// Scenarios 4–8: the ways a purchase goes otherwise — a declined card, a cancel, a deep link that
// never comes, a forged link, and webhooks duplicated and shuffled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  billingMeOf,
  buyPro,
  checkoutPhase,
  expectText,
  payInBrowser,
  planOf,
  shot,
  signUp,
  startCheckout,
} from './musician';
import { type Stack, startStack } from './stack';

describe('purchases that go otherwise', { timeout: 120_000 }, () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('4. a declined card leaves the musician free, and the waiting state can be cancelled', async () => {
    const app = await stack.openApp('declined');
    await signUp(app.page, 'declined@example.com');
    await startCheckout(app);
    await shot(app.page, '04-waiting');
    const { tab, deepLink } = await payInBrowser(app, '4000 0000 0000 0002');
    expect(deepLink).toBeNull();
    await expectText(tab, 'Your card was declined.');
    await shot(tab, '04-declined-in-browser');
    expect(await planOf(app.page)).toBe('free');
    await app.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => checkoutPhase(app.page)).not.toBe('pending');
    await expect.poll(() => app.page.getByText('Finish your payment in the browser').count()).toBe(0);
    expect(await planOf(app.page)).toBe('free');
    await shot(app.page, '04-cancelled-wait');
  });

  it('5. "Back" on the checkout page: a calm cancel message, still free', async () => {
    const app = await stack.openApp('cancel');
    await signUp(app.page, 'cancel@example.com');
    await startCheckout(app);
    const tab = await app.followOpenedUrl();
    await tab.getByRole('link', { name: /Back/ }).click();
    await tab.waitForLoadState('domcontentloaded');
    await expectText(tab, 'Checkout cancelled');
    const link = await tab.locator('#open-app').getAttribute('href');
    expect(link).toMatch(/^siberiamix:\/\/checkout\/cancel\?state=/);
    await app.host.deliverDeepLink(link as string, 'open-url');
    await expectText(app.page, 'Payment cancelled');
    await shot(app.page, '05-cancelled');
    expect(await planOf(app.page)).toBe('free');
  });

  it('6. the deep link never arrives: focusing the window, or "I have paid — refresh", brings Pro', async () => {
    const viaFocus = await stack.openApp('focus');
    await signUp(viaFocus.page, 'focus@example.com');
    await startCheckout(viaFocus);
    const paid = await payInBrowser(viaFocus, '4242 4242 4242 4242');
    expect(paid.deepLink).not.toBeNull();
    // The test drops the link; the musician comes back to the window.
    await viaFocus.host.focusWindow();
    await expectText(viaFocus.page, 'Thank you — you are Pro');
    expect(await planOf(viaFocus.page)).toBe('pro');

    const viaButton = await stack.openApp('refresh');
    await signUp(viaButton.page, 'refresh@example.com');
    await startCheckout(viaButton);
    await payInBrowser(viaButton, '4242 4242 4242 4242');
    await viaButton.page.getByRole('button', { name: 'I have paid — refresh' }).click();
    await expectText(viaButton.page, 'Thank you — you are Pro');
    expect(await planOf(viaButton.page)).toBe('pro');
    await shot(viaButton.page, '06-pro-after-refresh');
  });

  it('7. a forged success link with a made-up session and the wrong state changes nothing', async () => {
    const app = await stack.openApp('forged');
    await signUp(app.page, 'forged@example.com');
    await startCheckout(app);
    await app.host.deliverDeepLink(
      'siberiamix://checkout/success?session_id=cs_test_madeUpSession123&state=not_the_state_we_made_0001',
      'second-instance',
    );
    expect(await checkoutPhase(app.page)).toBe('pending');
    expect(await planOf(app.page)).toBe('free');
    expect(await app.page.getByText('Thank you — you are Pro').count()).toBe(0);
    // Nor without a checkout pending, nor malformed.
    await app.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await app.host.deliverDeepLink('siberiamix://checkout/success?session_id=cs_test_x&state=a', 'open-url');
    await app.host.deliverDeepLink('siberiamix://admin/grant-pro', 'open-url');
    expect(await planOf(app.page)).toBe('free');
    expect(await app.page.getByText('Thank you — you are Pro').count()).toBe(0);
    await shot(app.page, '07-after-forged-links');
  });

  it('8. webhooks duplicated and shuffled by the emulator end in the same state', async () => {
    stack.emulator.setDelivery({ duplicate: true, shuffle: true });
    try {
      const app = await stack.openApp('shuffled');
      await signUp(app.page, 'shuffled@example.com');
      await buyPro(app, '08');
      await stack.emulator.idle();
      const token = await app.page.evaluate(() => window.siberia.entitlements.get());
      expect(token.ok && token.value.plan).toBe('pro');
      const deliveries = stack.emulator.deliveries();
      const ids = deliveries.map((d) => d.eventId);
      expect(new Set(ids).size).toBeLessThan(ids.length);
      // The server's own word: Pro, active, monthly.
      expect(await billingMeOf(stack, 'shuffled@example.com')).toMatchObject({
        plan: 'pro',
        status: 'active',
        interval: 'month',
        cancelAtPeriodEnd: false,
      });
    } finally {
      stack.emulator.setDelivery({ duplicate: false, shuffle: false });
    }
  });
});
