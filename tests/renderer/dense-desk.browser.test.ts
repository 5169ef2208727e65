// The dense desk of issue 19 in Chromium: twelve strips at 1280×800 in both languages, per-track
// meters with a clip light that holds, meters that fall after Stop, solo-muted strips, the keys,
// and toasts that leave by themselves without ever covering a dialog.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Desk, importWav, openDesk, startDesk, toneWav } from './harness';

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

const NAMES = [
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
  'Backing vocals',
  'Percussion',
];

async function desk1280x800(locale: 'en' | 'fr' = 'en'): Promise<Page> {
  const page = await openDesk(desk, {
    info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale, deviceId: 'dev-test-0001' },
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  return page;
}

const strips = (page: Page) => page.getByTestId('strip');
const position = (page: Page) => page.getByRole('status', { name: 'Position' }).innerText();
/** How far the strip's left bar is lit, 0 … 1. */
const meterFill = (page: Page, index: number) =>
  strips(page)
    .nth(index)
    .getByTestId('track-meter')
    .evaluate((el) => new DOMMatrix(getComputedStyle(el.children[0] as Element).transform).d);

describe('a dense desk', () => {
  for (const locale of ['en', 'fr'] as const) {
    it(`shows twelve whole strips at 1280×800 (${locale}), long names ellipsised with the full name on hover`, async () => {
      const page = await desk1280x800(locale);
      for (const [i, name] of NAMES.entries()) await importWav(page, `${name}.wav`, toneWav(1, 100 + 20 * i));
      const transportTop = (await page.getByRole('region', { name: 'Transport' }).boundingBox())?.y as number;
      for (let i = 0; i < NAMES.length; i++) {
        const box = await strips(page).nth(i).boundingBox();
        expect(box && box.y >= 0 && box.y + box.height <= transportTop, `strip ${i} on screen`).toBe(true);
      }
      const long = strips(page).nth(2).getByRole('textbox');
      expect(await long.getAttribute('title')).toBe(NAMES[2]);
      expect(await long.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      expect(await long.evaluate((el) => getComputedStyle(el).textOverflow)).toBe('ellipsis');
      // Each track has its colour on its strip's edge; neighbours are told apart mostly.
      const colours = await strips(page).evaluateAll((els) =>
        els.map((el) => getComputedStyle(el.querySelector('.strip-controls') as Element).borderLeftColor),
      );
      expect(new Set(colours).size).toBeGreaterThan(4);
      // The master meter's values fit in their column, whatever their length.
      const meters = page.getByTestId('meters');
      const fits = await meters.evaluate((el) => {
        const edge = el.getBoundingClientRect().right;
        return [...el.querySelectorAll('.meter-value')].every((v) => v.getBoundingClientRect().right <= edge);
      });
      expect(fits).toBe(true);
      await page.close();
    });
  }

  it('lights a clipping track’s clip light, holds it after Stop until clicked; the meters fall to silence', async () => {
    const page = await desk1280x800();
    await importWav(page, 'Hot.wav', toneWav(3, 220));
    await importWav(page, 'Quiet.wav', toneWav(3, 330));
    // +12 dB on a tone peaking near −7 dBFS: well over full scale.
    const fader = strips(page).first().getByRole('slider', { name: 'Gain' });
    await fader.focus();
    await page.keyboard.press('End');
    await page.getByRole('button', { name: 'Play' }).click();
    const hot = page.getByRole('button', { name: 'Hot clipped: click to reset the light' });
    await hot.waitFor({ timeout: 8000 });
    await expect.poll(() => meterFill(page, 1)).toBeGreaterThan(0.5);
    expect(await page.getByRole('button', { name: 'Clip light of Quiet: off' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Stop' }).click();
    // The light holds; the bars and the master's values fall to silence.
    await expect.poll(() => meterFill(page, 1), { timeout: 8000 }).toBe(0);
    await expect.poll(() => meterFill(page, 0), { timeout: 8000 }).toBe(0);
    for (const id of ['meter-momentary', 'meter-short', 'meter-peak'])
      await expect.poll(() => page.getByTestId(id).innerText(), { timeout: 3000 }).toBe('—');
    expect(await hot.count()).toBe(1);
    await hot.click();
    expect(await page.getByRole('button', { name: 'Clip light of Hot: off' }).count()).toBe(1);
    await page.close();
  });

  it('M and S act on the focused track; solo-muted strips are drawn as muted; Home goes to the start', async () => {
    const page = await desk1280x800();
    for (const name of ['One', 'Two', 'Three']) await importWav(page, `${name}.wav`, toneWav(4));
    // A click on the strip's background gives it the focus.
    await strips(page)
      .nth(1)
      .click({ position: { x: 340, y: 40 } });
    await page.keyboard.press('s');
    expect(await strips(page).nth(1).getByRole('button', { name: 'Solo' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    const classes = await strips(page).evaluateAll((els) =>
      els.map((el) => el.classList.contains('is-muted')),
    );
    expect(classes).toEqual([true, false, true]);
    expect(await strips(page).nth(0).getAttribute('title')).toBe('One is silent: another track is soloed');
    // On a slider of the third strip, M mutes that track.
    await strips(page).nth(2).getByRole('slider', { name: 'Pan' }).focus();
    await page.keyboard.press('m');
    expect(await strips(page).nth(2).getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    // Typing a name never triggers them.
    const name = strips(page).first().getByRole('textbox');
    await name.fill('Ms');
    expect(
      await strips(page).first().getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed'),
    ).toBe('false');
    await name.press('Enter');
    // Undo and redo by keys, then Home.
    await page.locator('body').click({ position: { x: 700, y: 775 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => strips(page).first().getByRole('textbox').inputValue()).toBe('One');
    await page.keyboard.press('Control+y');
    await expect.poll(() => strips(page).first().getByRole('textbox').inputValue()).toBe('Ms');
    const ruler = page.getByTestId('timeline');
    const box = (await ruler.boundingBox()) as { width: number };
    await ruler.click({ position: { x: box.width / 2, y: 10 } });
    await expect.poll(() => position(page)).toMatch(/^0:02\.0/);
    await page.locator('body').click({ position: { x: 700, y: 775 } });
    await page.keyboard.press('Home');
    await expect.poll(() => position(page)).toMatch(/^0:00\.0/);
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play' }).waitFor();
    await page.close();
  });

  it('information toasts leave by themselves; errors stay, under any dialog', async () => {
    const page = await desk1280x800();
    await page.setInputFiles('[data-testid="import-input"]', {
      name: 'broken.wav',
      mimeType: 'audio/wav',
      buffer: Buffer.from('RIFF\u0004\u0000\u0000\u0000WAVEjunk'),
    });
    const error = page.getByRole('alert');
    await error.waitFor();
    await importWav(page, 'Gone.wav', toneWav(1));
    await page.getByRole('button', { name: 'EQ, compressor and more for Gone' }).click();
    await page.getByRole('button', { name: 'Remove Gone' }).click();
    const removed = page.getByRole('status').filter({ hasText: '“Gone” removed' });
    await removed.waitFor();
    await expect.poll(() => removed.count(), { timeout: 12_000, interval: 500 }).toBe(0);
    expect(await error.count()).toBe(1);
    // A dialog opens: the error is beneath it, not on top.
    await page.getByRole('banner').getByRole('button', { name: 'Go Pro' }).click();
    await page.getByRole('dialog').waitFor();
    const covered = await error.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !el.contains(top);
    });
    expect(covered).toBe(true);
    await page.keyboard.press('Escape');
    await error.getByRole('button', { name: 'Dismiss' }).click();
    expect(await error.count()).toBe(0);
    await page.close();
  });
});
