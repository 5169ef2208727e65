// The Pro upsell in Chromium against the real services: the Electron-less test host (main's
// services), the companion server and the Stripe emulator (tests/e2e/stack.ts). Account, refusals,
// the pricing grid in both languages and the checkout's waiting state go through the real code.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../e2e/stack';
import { toneWav } from './harness';

const PASSWORD = 'correct horse battery';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('html[data-ready="true"]');
}
async function importTone(page: Page): Promise<void> {
  await page.setInputFiles('[data-testid="import-input"]', {
    name: 'Tone.wav',
    mimeType: 'audio/wav',
    buffer: toneWav(1),
  });
  await page.getByRole('img', { name: 'Waveform of Tone' }).waitFor();
}
const dialog = (page: Page) => page.getByRole('dialog');

describe('signed out, then free', () => {
  it('export asks to sign in; the sign-up form validates, shows server errors, then signs in', async () => {
    const { page } = await stack.openApp('newcomer');
    await ready(page);
    await importTone(page);
    await page.getByRole('button', { name: 'Export mix' }).click();
    const refusal = page.getByRole('dialog', { name: 'Sign in to export' });
    await refusal.waitFor();
    await refusal.getByRole('button', { name: 'Create account' }).click();
    const form = page.getByRole('dialog', { name: 'Create your account' });
    await form.waitFor();
    expect(await form.getByLabel('Email').getAttribute('autocomplete')).toBe('email');
    expect(await form.getByLabel('Password').getAttribute('autocomplete')).toBe('new-password');
    await form.getByRole('button', { name: 'Create account' }).click();
    await form.getByText('Enter your email address.').waitFor();
    await form.getByLabel('Email').fill('not-an-address');
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create account' }).click();
    await form.getByText('This email address does not look right.').waitFor();
    await form.getByText('The password needs at least 10 characters.').waitFor();
    await form.getByLabel('Email').fill('taken@example.com');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => dialog(page).count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByText('Signed in as taken@example.com').waitFor();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Create account' }).click();
    await form.getByLabel('Email').fill('taken@example.com');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create account' }).click();
    await form
      .getByRole('alert')
      .getByText('An account with this email already exists. Sign in instead.')
      .waitFor();
    await form.getByRole('button', { name: 'Already have an account? Sign in' }).click();
    const signIn = page.getByRole('dialog', { name: 'Sign in' });
    expect(await signIn.getByLabel('Password').getAttribute('autocomplete')).toBe('current-password');
    await signIn.getByLabel('Email').fill('taken@example.com');
    await signIn.getByLabel('Password').fill('wrong password 123');
    await signIn.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signIn.getByRole('alert').getByText('Wrong email or password.').waitFor();
    await signIn.getByLabel('Password').fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => dialog(page).count(), { timeout: 10_000 }).toBe(0);
  });

  it('a free account meets "Reserved for Pro subscribers" on export, master and save, with the way to pricing', async () => {
    const app = await stack.openApp('free');
    const { page } = app;
    await ready(page);
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Create account' }).click();
    await dialog(page).getByLabel('Email').fill('free@example.com');
    await dialog(page).getByLabel('Password').fill(PASSWORD);
    await dialog(page).getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => dialog(page).count(), { timeout: 10_000 }).toBe(0);
    await importTone(page);
    for (const name of ['Export mix', 'Master', 'Save']) {
      await page.getByRole('button', { name, exact: true }).click();
      const refusal = page.getByRole('dialog', { name: 'Reserved for Pro subscribers' });
      await refusal.waitFor();
      await refusal.getByRole('button', { name: 'Not now' }).click();
    }
    await page.getByRole('button', { name: 'Export mix' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Go Pro' }).click();
    const pricing = page.getByRole('dialog', { name: 'Choose your plan' });
    await pricing.getByTestId('price').waitFor({ timeout: 10_000 });
    expect(await pricing.getByTestId('price').innerText()).toBe('€99.99 / year incl. VAT');
    expect(await pricing.getByTestId('saving').innerText()).toBe('Save 17% (€19.89 a year)');
    await pricing.getByRole('radio', { name: 'Monthly' }).check({ force: true });
    expect(await pricing.getByTestId('price').innerText()).toBe('€9.99 / month incl. VAT');
  });

  it('Go Pro opens the payment page and waits; Cancel ends it calmly, nothing changed', async () => {
    const app = await stack.openApp('hesitant');
    const { page } = app;
    await ready(page);
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Create account' }).click();
    await dialog(page).getByLabel('Email').fill('hesitant@example.com');
    await dialog(page).getByLabel('Password').fill(PASSWORD);
    await dialog(page).getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => dialog(page).count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('banner').getByRole('button', { name: 'Go Pro' }).click();
    const pricing = page.getByRole('dialog', { name: 'Choose your plan' });
    await pricing.getByTestId('price').waitFor({ timeout: 10_000 });
    await pricing.getByRole('button', { name: 'Go Pro' }).click();
    const waiting = page.getByRole('dialog', { name: 'Finish your payment in the browser' });
    await waiting.waitFor({ timeout: 10_000 });
    const opened = await app.host.waitForOpenedUrl(10_000);
    expect(opened.startsWith(stack.emulator.url)).toBe(true);
    await waiting.getByRole('button', { name: 'Reopen the payment page' }).click();
    expect(await app.host.waitForOpenedUrl(10_000)).toBe(opened);
    await waiting.getByRole('button', { name: 'I have paid — refresh' }).click();
    await waiting.waitFor();
    await waiting.getByRole('button', { name: 'Cancel' }).click();
    const calm = page.getByRole('dialog', { name: 'Payment cancelled' });
    await calm.getByText('Nothing was charged and nothing changed.', { exact: false }).waitFor();
    expect(await page.getByTestId('plan-badge').innerText()).toBe('FREE');
  });
});

describe('in French', () => {
  it('the pricing grid shows the server’s prices the French way', async () => {
    const { page } = await stack.openApp('francophone', { locale: 'fr' });
    await ready(page);
    await page.getByRole('banner').getByRole('button', { name: 'Passer en Pro' }).click();
    const pricing = page.getByRole('dialog', { name: 'Choisissez votre offre' });
    await pricing.getByTestId('price').waitFor({ timeout: 10_000 });
    expect(await pricing.getByTestId('price').innerText()).toBe('99,99\u00a0€ / an TTC');
    expect(await pricing.getByTestId('saving').innerText()).toBe(
      'Économisez 17\u00a0% (19,89\u00a0€ par an)',
    );
    await pricing.getByRole('radio', { name: 'Mensuel' }).check({ force: true });
    expect(await pricing.getByTestId('price').innerText()).toBe('9,99\u00a0€ / mois TTC');
    expect(await pricing.getByRole('button', { name: 'Passer en Pro' }).count()).toBe(1);
  });
});
