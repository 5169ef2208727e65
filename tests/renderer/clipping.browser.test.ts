// A mix that clips in a fixed-point export, in Chromium through the scripted bridge: the desk says how
// many samples clipped and how loud the peak was (the engine's own figures, counted here again from
// the engine's render), offers to lower the master by what keeps the peak at −0.1 dBFS, and that
// offer, taken, is an ordinary undo step after which the same export no longer clips.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectFile } from '../../contracts/project';
import { decodeWav, encodeWav, renderMix } from '../../engine/index';
import { type Desk, openDesk, startDesk } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

type Scripted = { state: { saved: { name: string; base64?: string }[]; autosaved: ProjectFile | null } };
const scripted = (page: Page) =>
  page.evaluate(() => (window as unknown as { __scripted: Scripted }).__scripted.state);

/** Two seconds of a stereo tone at 0.8 of full scale, on the 16-bit grid (the desk keeps it as 16-bit). */
function loudWav(): Buffer {
  const rate = 48000;
  const left = new Float32Array(rate * 2);
  const right = new Float32Array(rate * 2);
  for (let i = 0; i < left.length; i++) {
    left[i] = Math.round(0.8 * Math.sin((2 * Math.PI * 220 * i) / rate) * 32768) / 32768;
    right[i] = Math.round(0.8 * Math.sin((2 * Math.PI * 330 * i) / rate) * 32768) / 32768;
  }
  return Buffer.from(encodeWav({ sampleRate: rate, channels: [left, right] }, { format: 'wav16' }));
}
const LOUD = loudWav();

/** What a 16-bit file of the project's mix clips, counted as the engine's WAV writer counts it. */
function clippingOf(project: ProjectFile): { samples: number; peak: number } {
  const mixed = renderMix({
    tracks: project.tracks,
    master: project.master,
    reverb: project.reverb,
    sampleRate: project.sampleRate,
    sources: project.tracks.map((t) => ({ trackId: t.id, audio: decodeWav(new Uint8Array(LOUD)) })),
  });
  let samples = 0;
  let peak = 0;
  for (const ch of mixed.channels)
    for (const x of ch) {
      peak = Math.max(peak, Math.abs(x));
      if (x > 32767 / 32768 || x < -1) samples++;
    }
  return { samples, peak };
}

const LOCALES = {
  en: {
    tag: 'en-GB',
    exportMix: 'Export mix',
    wav16: 'WAV 16-bit (CD)',
    float: 'WAV 32-bit float',
    session: 'As the session (48 kHz)',
    stems: 'Stems: each track as its own file',
    master: 'Master gain',
    said: (count: string, peak: string) =>
      `The mix was saved, but ${count} samples clipped (peak +${peak}\u00a0dBFS).`,
    saidStems: (count: string, peak: string) =>
      `The stems were saved, but ${count} samples clipped (peak +${peak}\u00a0dBFS).`,
    button: (db: string) => `Lower the master by ${db}\u00a0dB`,
    lowered: (db: string, gain: string) =>
      `Master lowered by ${db}\u00a0dB, to ${gain}\u00a0dB. Export again for a file that does not clip.`,
  },
  fr: {
    tag: 'fr-FR',
    exportMix: 'Exporter le mix',
    wav16: 'WAV 16 bits (CD)',
    float: 'WAV 32 bits flottant',
    session: 'Celle de la session (48 kHz)',
    stems: 'Stems : chaque piste dans son propre fichier',
    master: 'Gain master',
    said: (count: string, peak: string) =>
      `Le mix a été enregistré, mais ${count} échantillons ont saturé (crête +${peak}\u00a0dBFS).`,
    saidStems: (count: string, peak: string) =>
      `Les stems ont été enregistrés, mais ${count} échantillons ont saturé (crête +${peak}\u00a0dBFS).`,
    button: (db: string) => `Baisser le master de ${db}\u00a0dB`,
    lowered: (db: string, gain: string) =>
      `Master baissé de ${db}\u00a0dB, à ${gain}\u00a0dB. Exportez à nouveau pour un fichier sans saturation.`,
  },
} as const;
type Words = (typeof LOCALES)[keyof typeof LOCALES];

/** A signed-in Pro desk with the loud tone, its master fader at the top (+12 dB) by the keyboard. */
async function loudDesk(locale: 'en' | 'fr'): Promise<Page> {
  const page = await openDesk(desk, {
    info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale, deviceId: 'dev-test-0001' },
    account: signedIn(),
    entitlements: proEntitlements(5),
  });
  await page.setInputFiles('[data-testid="import-input"]', {
    name: 'Loud.wav',
    mimeType: 'audio/wav',
    buffer: LOUD,
  });
  await page.getByTestId('strip').first().waitFor();
  await page.getByRole('slider', { name: LOCALES[locale].master }).focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Tab');
  return page;
}

/** Export through the dialog in `format`, as the session's rate, stems or not; waits until saved. */
async function exportAs(page: Page, words: Words, format: string, stems = false): Promise<void> {
  // Earlier messages go first, so a repeated one is shown (and waited for) afresh.
  const dismiss = page.getByTestId('toast').getByRole('button', { name: /^(Dismiss|Fermer)$/ });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  const before = (await scripted(page)).saved.length;
  await page.getByRole('button', { name: words.exportMix }).click();
  const dialog = page.getByTestId('export-dialog');
  await dialog.waitFor({ timeout: 15_000 });
  await dialog.getByRole('radio', { name: format }).check();
  await dialog.getByRole('radio', { name: words.session, exact: true }).check();
  const stemsBox = dialog.getByRole('checkbox', { name: words.stems });
  if ((await stemsBox.isChecked()) !== stems) await stemsBox.click();
  await dialog.locator('button[type="submit"]').click();
  await page.waitForFunction(
    (n) => (window as unknown as { __scripted: Scripted }).__scripted.state.saved.length > n,
    before,
    { timeout: 30_000 },
  );
  await page.getByTestId('render-progress').waitFor({ state: 'detached', timeout: 30_000 });
  await page.locator('.render-bar').waitFor({ state: 'detached', timeout: 30_000 });
}

const masterReads = (page: Page, words: Words) =>
  page.getByRole('slider', { name: words.master }).getAttribute('aria-valuetext');

describe('a clipped fixed-point export', () => {
  for (const locale of ['en', 'fr'] as const) {
    it(`is reported with its count and peak, and the master comes down by the offer (${locale})`, async () => {
      const words = LOCALES[locale];
      const number = (value: number, digits: number) =>
        new Intl.NumberFormat(words.tag, {
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
        }).format(value);
      const page = await loudDesk(locale);
      expect(await masterReads(page, words)).toBe(`${number(12, 1)} dB`);
      await exportAs(page, words, words.wav16);

      // The engine's figures, from the project the desk exported.
      await page.waitForFunction(
        () =>
          (window as unknown as { __scripted: Scripted }).__scripted.state.autosaved?.master.gainDb === 12,
      );
      const project = (await scripted(page)).autosaved as ProjectFile;
      const clipped = clippingOf(project);
      expect(clipped.samples).toBeGreaterThan(1000);
      const peakTenths = Math.ceil(20 * Math.log10(clipped.peak) * 10);
      const lowerBy = (peakTenths + 1) / 10;
      const notice = page.getByTestId('toast').filter({ hasText: words.said('', '').slice(0, 12) });
      await expect
        .poll(() => notice.first().innerText(), { timeout: 10_000 })
        .toContain(words.said(number(clipped.samples, 0), number(peakTenths / 10, 1)));
      const button = notice.getByRole('button', { name: words.button(number(lowerBy, 1)) });

      // It stays: still there well past a warning's 7 s.
      await page.waitForTimeout(8000);
      expect(await button.count()).toBe(1);

      // Reached from the keyboard: Tab from the master fader comes to the button, Enter presses it.
      await page.getByRole('slider', { name: words.master }).focus();
      let reached = false;
      for (let i = 0; i < 200 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await button.evaluate((b) => b === document.activeElement);
      }
      expect(reached).toBe(true);
      await page.keyboard.press('Enter');
      const gain = 12 - lowerBy;
      expect(await masterReads(page, words)).toBe(`${number(gain, 1)} dB`);
      await page
        .getByTestId('toast')
        .filter({ hasText: words.lowered(number(lowerBy, 1), number(gain, 1)) })
        .waitFor();
      expect(await notice.count()).toBe(0);

      // The same export again, with the master where the offer put it: nothing clips, nothing is said.
      await exportAs(page, words, words.wav16);
      const lowered = (await scripted(page)).saved.at(-1)?.base64 as string;
      const file = decodeWav(new Uint8Array(Buffer.from(lowered, 'base64')));
      let peak = 0;
      for (const ch of file.channels) for (const x of ch) peak = Math.max(peak, Math.abs(x));
      // −0.1 dBFS, give or take the 16-bit dither's one step.
      expect(peak).toBeLessThanOrEqual(10 ** (-0.1 / 20) + 2 / 32768);
      await page.waitForTimeout(500);
      expect(await page.getByText(words.said('', '').slice(0, 12)).count()).toBe(0);

      // One undo step: Ctrl+Z brings the master back to the top.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('Control+z');
      expect(await masterReads(page, words)).toBe(`${number(12, 1)} dB`);

      // The same clipping mix in 32-bit float: the file holds the peak, nothing is said.
      await exportAs(page, words, words.float);
      await page.waitForTimeout(500);
      expect(await page.getByText(words.said('', '').slice(0, 12)).count()).toBe(0);
      expect(await page.getByTestId('notice-action').count()).toBe(0);

      // As stems (one track: the stem is the mix), the stems' own words and the same figures.
      await exportAs(page, words, words.wav16, true);
      await page
        .getByTestId('toast')
        .filter({ hasText: words.saidStems(number(clipped.samples, 0), number(peakTenths / 10, 1)) })
        .getByRole('button', { name: words.button(number(lowerBy, 1)) })
        .waitFor({ timeout: 10_000 });
      await page.close();
    }, 180_000);
  }
});
