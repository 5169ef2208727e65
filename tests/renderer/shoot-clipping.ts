// Screenshots of the notice a clipped 16-bit export brings, in English and French, and of the desk
// once its button lowered the master: `npx tsx tests/renderer/shoot-clipping.ts [outDir]` (after
// `npm run build`; docs/screens/ holds the ones committed).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { encodeWav } from '../../engine/index';
import { importWav, openDesk, startDesk } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

const out = path.resolve(process.argv[2] ?? 'test-results/renderer-screens');
mkdirSync(out, { recursive: true });

/** Eight seconds of a stereo tone at 0.8 of full scale: with the master at +12 dB the mix clips. */
function loudWav(): Buffer {
  const rate = 48000;
  const channels = [220, 330].map((freq) =>
    Float32Array.from({ length: rate * 8 }, (_, i) => 0.8 * Math.sin((2 * Math.PI * freq * i) / rate)),
  );
  return Buffer.from(encodeWav({ sampleRate: rate, channels }, { format: 'wav16', ditherSeed: 1 }));
}

const WORDS = {
  en: {
    master: 'Master gain',
    exportMix: 'Export mix',
    wav16: 'WAV 16-bit (CD)',
    lower: /^Lower the master/,
  },
  fr: {
    master: 'Gain master',
    exportMix: 'Exporter le mix',
    wav16: 'WAV 16 bits (CD)',
    lower: /^Baisser le master/,
  },
};

const desk = await startDesk();
try {
  for (const locale of ['en', 'fr'] as const) {
    const words = WORDS[locale];
    const page = await openDesk(desk, {
      info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale, deviceId: 'dev-test-0001' },
      account: signedIn(),
      entitlements: proEntitlements(5),
    });
    await importWav(page, locale === 'en' ? 'Guitar.wav' : 'Guitare.wav', loudWav());
    await page.getByRole('slider', { name: words.master }).focus();
    await page.keyboard.press('End');
    await page.getByRole('button', { name: words.exportMix }).click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.getByRole('radio', { name: words.wav16 }).check();
    await dialog.locator('button[type="submit"]').click();
    const button = page.getByRole('button', { name: words.lower });
    await button.waitFor({ timeout: 30_000 });
    // Reached by the keyboard, so that its focus ring shows.
    await button.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(out, `clipping-notice-${locale}.png`) });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(out, `clipping-lowered-${locale}.png`) });
    await page.close();
  }
} finally {
  await desk.close();
}
console.log(`screens in ${out}`);
