// Screenshots of the desk with sends, the reverb bus and a zoomed timeline, in English and French:
// `npx tsx tests/renderer/shoot-desk-sends.ts [outDir]` (after `npm run build`).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { importWav, openDesk, startDesk, toneWav } from './harness';

const out = path.resolve(process.argv[2] ?? 'test-results/renderer-screens');
mkdirSync(out, { recursive: true });
const NAMES = {
  en: [
    'Kick',
    'Snare',
    'Overheads',
    'Bass DI',
    'Bass amp',
    'Rhythm guitar',
    'Lead guitar',
    'Keys',
    'Pad',
    'Lead vocal',
    'Backing vocals',
    'Percussion',
  ],
  fr: [
    'Grosse caisse',
    'Caisse claire',
    'Overheads',
    'Basse DI',
    'Ampli basse',
    'Guitare rythmique',
    'Guitare solo',
    'Claviers',
    'Nappe',
    'Chant',
    'Chœurs',
    'Percussions',
  ],
};
const desk = await startDesk();
try {
  for (const locale of ['en', 'fr'] as const) {
    const page = await openDesk(desk, {
      info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale, deviceId: 'dev-test-0001' },
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const [i, name] of NAMES[locale].entries())
      await importWav(page, `${name}.wav`, toneWav(20 + i * 3, 90 + 25 * i));
    const send = (i: number) => page.getByTestId('strip').nth(i).getByTestId('send');
    // A few sends up by keys: vocals and guitars go to the reverb.
    for (const [i, presses] of [
      [9, 100],
      [10, 90],
      [6, 80],
      [1, 60],
    ] as const) {
      await send(i).focus();
      await page.keyboard.press('Home');
      for (let k = 0; k < presses; k++) await page.keyboard.press('ArrowUp');
    }
    await page.locator('body').click({ position: { x: 640, y: 785 } });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(out, `19-desk-sends-${locale}.png`) });
    // Zoomed 4× around the middle, then scrolled, with one strip open to show the pre/post toggle.
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page
      .getByTestId('strip')
      .nth(9)
      .getByRole('button', { name: /^(EQ|EQ,)/ })
      .click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(out, `19-desk-zoomed-${locale}.png`) });
    await page.close();
  }
} finally {
  await desk.close();
}
console.log(`screens in ${out}`);
