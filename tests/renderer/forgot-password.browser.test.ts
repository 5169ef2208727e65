// "Forgot password?" on the sign-in form: main asks the server for the link; the form says the same
// whatever the email, in English and in French, and refuses a malformed address before asking.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Desk, openDesk, scriptedCalls, startDesk } from './harness';

const SHOTS = path.resolve('tests/renderer/screenshots');
let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(() => desk?.close());

describe('forgot password', () => {
  it('asks main for the link with the typed email and says it is on its way', async () => {
    const page = await openDesk(desk);
    await page.getByRole('button', { name: /Account/ }).click();
    await page.getByRole('menuitem', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Forgot password?' }).click();
    await dialog.getByText('Enter your email address.').waitFor();
    expect((await scriptedCalls(page)).some((c) => c.name === 'account.requestPasswordReset')).toBe(false);
    await dialog.getByLabel('Email').fill('ana@example.com');
    await dialog.getByRole('button', { name: 'Forgot password?' }).click();
    await dialog.getByRole('status').getByText('If ana@example.com has an account').waitFor();
    expect((await scriptedCalls(page)).filter((c) => c.name === 'account.requestPasswordReset')).toEqual([
      { name: 'account.requestPasswordReset', input: { email: 'ana@example.com' } },
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'forgot-password-en.png') });
    await page.close();
  });

  it('in French', async () => {
    const info = {
      version: '0.1.0',
      platform: 'linux',
      serverUrl: 'http://x',
      locale: 'fr' as const,
      deviceId: 'dev-test-0001',
    };
    const page = await openDesk(desk, { info });
    await page.getByRole('button', { name: /Compte/ }).click();
    await page.getByRole('menuitem', { name: 'Se connecter' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('E-mail').fill('ana@example.com');
    await dialog.getByRole('button', { name: 'Mot de passe oublié ?' }).click();
    await dialog.getByRole('status').getByText('Si ana@example.com a un compte').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'forgot-password-fr.png') });
    await page.close();
  });
});
