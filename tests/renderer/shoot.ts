// Screenshots of every screen and state for review: `npx tsx tests/renderer/shoot.ts [outDir]`.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { emit, importWav, openDesk, startDesk, toneWav } from './harness';
import { refusal } from '../../contracts/refusal';
import { FREE, proEntitlements, signedIn } from './scripted-bridge';

const out = path.resolve(process.argv[2] ?? 'test-results/renderer-screens');
mkdirSync(out, { recursive: true });
const desk = await startDesk();
try {
  const shot = async (page: import('playwright-core').Page, name: string) => {
    await page.waitForTimeout(250);
    await page.screenshot({ path: path.join(out, `${name}.png`) });
  };
  let page = await openDesk(desk);
  await shot(page, '01-empty');
  await importWav(page, 'Drums.wav', toneWav(8, 110));
  await importWav(page, 'Bass.wav', toneWav(6, 55));
  await importWav(page, 'Vocals.wav', toneWav(7, 330));
  await page
    .getByRole('button', { name: /^EQ, compressor and more/ })
    .first()
    .click();
  await shot(page, '02-desk');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(2000);
  await shot(page, '02b-playing');
  await page.getByRole('button', { name: 'Pause' }).click();
  // Bass moved to start 1.5 s into the song, the EQ panel closed: the waveform starts later.
  await page
    .getByRole('button', { name: /^EQ, compressor and more/ })
    .first()
    .click();
  await page.getByRole('button', { name: 'EQ, compressor and more for Bass' }).click();
  const bassStart = page.getByRole('textbox', { name: 'Start' });
  await bassStart.fill('1,5');
  await bassStart.press('Enter');
  await shot(page, '02c-start-offset');
  await page.getByRole('button', { name: 'Export mix' }).click();
  await page.locator('[role="dialog"]').waitFor();
  await shot(page, '03-refusal-signed-out');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Go Pro' }).first().click();
  await page.locator('[data-testid="price"]').waitFor();
  await shot(page, '04-pricing-en');
  await page.close();

  page = await openDesk(desk, {
    info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale: 'fr', deviceId: 'dev-test-0001' },
    account: signedIn(),
  });
  await importWav(page, 'Batterie.wav', toneWav(6, 110));
  await page
    .getByRole('button', { name: /^EQ, compresseur et plus/ })
    .first()
    .click();
  await shot(page, '05a-desk-fr');
  await page.getByRole('button', { name: 'Passer en Pro' }).first().click();
  await page.locator('[data-testid="price"]').waitFor();
  await shot(page, '05-pricing-fr');
  await page.locator('label', { hasText: 'Mensuel' }).click();
  await shot(page, '05b-pricing-fr-monthly');
  await page.close();

  page = await openDesk(desk, { account: signedIn() });
  await emit(page, 'checkout.changed', {
    phase: 'pending',
    priceId: 'price_annual',
    startedAt: new Date().toISOString(),
  });
  await shot(page, '06-checkout-pending');
  await emit(page, 'checkout.changed', {
    phase: 'unconfirmed',
    priceId: 'price_annual',
    startedAt: new Date().toISOString(),
  });
  await shot(page, '07-checkout-unconfirmed');
  await emit(page, 'checkout.changed', {
    phase: 'cancelled',
    priceId: 'price_annual',
    startedAt: new Date().toISOString(),
  });
  await shot(page, '08-checkout-cancelled');
  await emit(page, 'entitlements.changed', proEntitlements(5));
  await emit(page, 'checkout.changed', {
    phase: 'success',
    priceId: 'price_annual',
    startedAt: new Date().toISOString(),
  });
  await shot(page, '09-checkout-success');
  await page.close();

  page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
  await importWav(page, 'Guitar.wav', toneWav(5, 196));
  await page.getByRole('button', { name: 'Account' }).click();
  await shot(page, '10-pro-header-menu');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Master', exact: true }).click();
  await page.locator('[data-testid="master-report"]').waitFor({ timeout: 20000 });
  await shot(page, '11-master-report');
  await page.close();

  page = await openDesk(desk, {
    account: signedIn(),
    entitlements: proEntitlements(500),
    refusals: {
      export: refusal('quota_exceeded', 'export', {
        used: 500,
        limit: 500,
        resetAt: '2026-12-01T00:00:00.000Z',
      }),
      master: refusal('offline_expired', 'master', { offlineUntil: '2026-11-20T00:00:00.000Z' }),
    },
  });
  await importWav(page, 'Keys.wav', toneWav(3, 262));
  await page.getByRole('button', { name: 'Export mix' }).click();
  await page.locator('[role="dialog"]').waitFor();
  await shot(page, '12-refusal-quota');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Master', exact: true }).click();
  await page.locator('[role="dialog"]').waitFor();
  await shot(page, '13-refusal-offline');
  await page.close();

  page = await openDesk(desk);
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await shot(page, '14-sign-in-validation');
  await page.locator('input[name=email]').fill('ana@example.com');
  await page.locator('input[name=password]').fill('wrong password!');
  await page.locator('form button[type=submit]').click();
  await page.locator('.form-error').waitFor();
  await shot(page, '15-sign-in-server-error');
  await page.close();

  // A free user opening a project: main refuses, the desk shows main's refusal.
  page = await openDesk(desk, { account: signedIn(), entitlements: FREE });
  await page.getByRole('button', { name: 'Open…' }).click();
  await page.locator('[role="dialog"]').waitFor();
  await shot(page, '16-refusal-open-free');
  await page.close();
  // The dense desk at 1280×800 in both languages: fourteen tracks, one soloed, one muted, one
  // clipping (its light on), playing; then stopped (meters fallen) with a strip expanded.
  const STEMS = [
    'Kick',
    'Snare',
    'Overheads, left and right room microphones',
    'Bass DI',
    'Bass amp',
    'Rhythm guitar',
    'Lead guitar',
    'Keys',
    'Pad',
    'Lead vocal',
    'Backing vocals, high harmony',
    'Percussion',
    'FX',
    'Room',
  ];
  for (const locale of ['en', 'fr'] as const) {
    page = await openDesk(desk, {
      info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale, deviceId: 'dev-test-0001' },
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const [i, name] of STEMS.entries()) await importWav(page, `${name}.wav`, toneWav(6, 90 + 25 * i));
    const strip = page.getByTestId('strip');
    await strip.nth(5).getByRole('button').nth(0).click();
    await strip.nth(6).getByRole('slider').first().focus();
    await page.keyboard.press('End');
    await page.getByTestId('play').click();
    await page.waitForTimeout(1500);
    await shot(page, `17-dense-desk-playing-${locale}`);
    await strip.nth(3).getByRole('button').nth(1).click();
    await page.waitForTimeout(800);
    await shot(page, `18-dense-desk-solo-${locale}`);
    await page.getByTestId('play').click();
    await page.waitForTimeout(6000);
    await strip.nth(1).getByRole('button').nth(2).click();
    await shot(page, `19-dense-desk-stopped-expanded-${locale}`);
    await page.close();
  }
  // Clip editing: a trimmed, moved clip with both fades, focused on its fade-in handle.
  page = await openDesk(desk);
  await page.setViewportSize({ width: 1280, height: 800 });
  await importWav(page, 'Vocal.wav', toneWav(4, 220));
  await importWav(page, 'Guitar.wav', toneWav(6, 330));
  const slider = (name: string) => page.getByRole('slider', { name, exact: true });
  await slider('Position of Vocal').focus();
  await page.keyboard.press('Shift+ArrowRight');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
  await slider('Start of Vocal (trim)').focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
  await slider('Fade out of Vocal').focus();
  for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowLeft');
  await slider('Fade in of Vocal').focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.getByRole('button', { name: 'EQ, compressor and more for Vocal' }).click();
  await shot(page, '20-clip-edit');
  await page.close();
  console.log(`screenshots in ${out}`);
} finally {
  await desk.close();
}
