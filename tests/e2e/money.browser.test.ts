// Scenarios 17–18: the money paths a musician can see — a double click on "Go Pro" and a second
// pricing window give one payment page, and a failed renewal shows a banner that sends the musician
// to the portal, in English and in French.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingMeOf, expectText, PASSWORD, payInBrowser, planOf, shot, signUp } from './musician';
import { type Stack, startStack } from './stack';

const DAY = 86_400;

describe('money paths the musician sees', { timeout: 120_000 }, () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('17. a double click on "Go Pro", then the other period from a second window: one payment page, and the app says so', async () => {
    const app = await stack.openApp('double-click');
    await signUp(app.page, 'double.click@example.com');
    const { page } = app;
    await page.getByRole('banner').getByRole('button', { name: 'Go Pro' }).click();
    const pricing = page.getByRole('dialog', { name: 'Choose your plan' });
    await expect.poll(() => pricing.getByText(/9[.,]99/).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await pricing.getByRole('button', { name: 'Go Pro' }).dblclick();
    await expectText(page, 'Finish your payment in the browser');
    // A second window of the app asks for the other period while the first page is still open.
    const first = await page.evaluate(() => window.siberia.billing.getCheckout());
    if (!first.ok) throw new Error(first.error.message);
    const other = first.value.priceId === stack.prices.annual ? stack.prices.monthly : stack.prices.annual;
    const second = await page.evaluate((priceId) => window.siberia.billing.startCheckout({ priceId }), other);
    expect(second).toMatchObject({ ok: true, value: { phase: 'pending', priceId: first.value.priceId } });
    await expectText(page, 'A payment page is already open in your browser');
    await shot(page, '17-checkout-already-open');
    expect(app.host.openedUrls).toHaveLength(1);

    const { tab, deepLink } = await payInBrowser(app, '4242 4242 4242 4242');
    await tab.close();
    await app.host.deliverDeepLink(deepLink as string, 'second-instance');
    await expectText(page, 'Thank you — you are Pro');
    const stripe = stack.emulator.stripe();
    const customers = await stripe.customers.list({ email: 'double.click@example.com' });
    const subs = await stripe.subscriptions.list({ customer: customers.data[0]?.id, status: 'all' });
    expect(subs.data.map((s) => s.status)).toEqual(['active']);
    await app.close();
  });

  it('18. a renewal that fails: Pro while Stripe retries, a banner to update the card, in both languages', async () => {
    const app = await stack.openApp('dunning');
    await signUp(app.page, 'dunning@example.com');
    await payFailingCard(app);
    expect(await planOf(app.page)).toBe('pro');

    await stack.emulator.advanceTime(32 * DAY);
    await stack.emulator.idle();
    expect(await billingMeOf(stack, 'dunning@example.com')).toMatchObject({
      plan: 'pro',
      status: 'past_due',
    });
    await app.page.evaluate(() => window.siberia.entitlements.refresh());
    const banner = app.page.getByTestId('billing-banner');
    await expect
      .poll(() => banner.innerText(), { timeout: 10_000 })
      .toContain('Your last payment did not go through');
    expect(await planOf(app.page)).toBe('pro');
    await shot(app.page, '18-past-due-banner-en');
    await banner.getByRole('button', { name: 'Update card' }).click();
    const portal = await app.followOpenedUrl();
    expect(portal.url()).toContain('/p/session/');
    await portal.close();

    const fr = await stack.openApp('dunning-fr', { locale: 'fr' });
    // Signed in by the French menu's words.
    await fr.page.getByRole('button', { name: /Compte/ }).click();
    await fr.page.getByRole('menuitem', { name: 'Se connecter' }).click();
    await fr.page.getByRole('dialog').getByLabel('E-mail').fill('dunning@example.com');
    await fr.page.getByRole('dialog').getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await fr.page.getByRole('dialog').getByRole('button', { name: 'Se connecter' }).click();
    const bandeau = fr.page.getByTestId('billing-banner');
    await expect
      .poll(() => bandeau.innerText(), { timeout: 10_000 })
      .toContain('Votre dernier paiement n’est pas passé');
    expect(await bandeau.getByRole('button', { name: 'Mettre à jour la carte' }).count()).toBe(1);
    await shot(fr.page, '18-past-due-banner-fr');

    // After Stripe's last retry the subscription ends: Free, and no banner asking for a card.
    await stack.emulator.advanceTime(9 * DAY);
    await stack.emulator.idle();
    await app.page.evaluate(() => window.siberia.entitlements.refresh());
    await expect.poll(() => planOf(app.page), { timeout: 10_000 }).toBe('free');
    await expect.poll(() => banner.count()).toBe(0);
    await fr.close();
    await app.close();
  });
});

async function payFailingCard(app: Awaited<ReturnType<Stack['openApp']>>): Promise<void> {
  const { page } = app;
  await page.getByRole('banner').getByRole('button', { name: 'Go Pro' }).click();
  const pricing = page.getByRole('dialog', { name: 'Choose your plan' });
  await expect.poll(() => pricing.getByText(/9[.,]99/).count(), { timeout: 10_000 }).toBeGreaterThan(0);
  await pricing.getByRole('radio', { name: 'Monthly' }).check({ force: true });
  await pricing.getByRole('button', { name: 'Go Pro' }).click();
  // Pays now, fails at the renewal (Stripe's test card 4000 0000 0000 0341).
  const { tab, deepLink } = await payInBrowser(app, '4000 0000 0000 0341');
  await tab.close();
  await app.host.deliverDeepLink(deepLink as string, 'second-instance');
  await expectText(page, 'Thank you — you are Pro');
  await page.keyboard.press('Escape');
}
