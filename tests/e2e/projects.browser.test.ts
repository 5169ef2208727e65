// Projects carry their audio: saved as a folder with a copy of every stem, moved, opened by another
// install with all its sound; an older project of bare names relinked with one "Locate…"; and a
// recording a crash left unfinished imported with the truth about it, in English and in French.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newProject, newTrack } from '../../contracts/project';
import { encodeWav } from '../../engine/io/wav';
import { sineSegments } from '../../engine/test-support/signals';
import { buyPro, expectText, importStems, playABit, shot, signIn, signUp, writeStems } from './musician';
import { type Stack, startStack } from './stack';

const trackNames = (page: Page) =>
  page
    .getByRole('textbox', { name: /Track name|Nom de la piste/ })
    .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));

/** The "you are Pro" dialog after buying, closed. */
async function closeThanks(page: Page): Promise<void> {
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
  await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
}

/** Settings → Language, as the musician would switch it. */
async function speak(page: Page, locale: 'en' | 'fr'): Promise<void> {
  await page.getByRole('button', { name: /Account|Compte/ }).click();
  await page.getByRole('menuitem', { name: /Settings|Réglages/ }).click();
  await page
    .getByTestId('settings')
    .getByLabel(locale === 'en' ? 'English' : 'Français')
    .check();
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
}

/** A WAV as a crashed recorder leaves it: sizes of 0 in its RIFF and data headers. */
function unfinished(from: string, to: string): void {
  const bytes = new Uint8Array(readFileSync(from));
  const view = new DataView(bytes.buffer);
  view.setUint32(4, 0, true);
  view.setUint32(Buffer.from(bytes).indexOf('data') + 4, 0, true);
  writeFileSync(to, bytes);
}

describe('projects that carry their audio', { timeout: 240_000 }, () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('25. saved with its stems, moved, opened on another install: every track has its sound', async () => {
    const stems = writeStems(path.join(stack.dataDir, 'stems25'));
    const app = await stack.openApp('projects');
    await signUp(app.page, 'projects25@example.com');
    await buyPro(app, '25');
    await closeThanks(app.page);
    await importStems(app.page, [stems.drums, stems.bass]);
    await app.page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectText(app.page, /^Saved to /);
    const [name] = readdirSync(app.exportsDir);
    const folder = path.join(app.exportsDir, name as string);
    expect(readdirSync(folder).sort()).toEqual(['Audio', `${name}.siberia`]);
    expect(readdirSync(path.join(folder, 'Audio')).sort()).toEqual(['bass.wav', 'drums.wav']);
    const saved = JSON.parse(readFileSync(path.join(folder, `${name}.siberia`), 'utf8'));
    expect(saved.tracks.map((t: { source: { path: string } }) => t.source.path)).toEqual([
      'Audio/drums.wav',
      'Audio/bass.wav',
    ]);
    await shot(app.page, '25-saved-en');

    // The folder goes elsewhere (a USB key, another computer); the stems it was made from are gone.
    const moved = path.join(stack.dataDir, 'usb', name as string);
    mkdirSync(path.dirname(moved), { recursive: true });
    renameSync(folder, moved);
    renameSync(path.dirname(stems.drums), path.join(stack.dataDir, 'stems25-gone'));

    const other = await stack.openApp('projects-other');
    await signIn(other.page, 'projects25@example.com');
    await expectText(other.page, 'Pro');
    other.openDialog.next = path.join(moved, `${name}.siberia`);
    await other.page.getByRole('button', { name: 'Open…' }).click();
    await expectText(other.page, `Opened ${path.join(moved, `${name}.siberia`)}`);
    await expect.poll(() => trackNames(other.page)).toEqual(['drums', 'bass']);
    expect(await other.page.getByText(/Audio missing/).count()).toBe(0);
    await expect.poll(() => other.page.locator('.strip canvas').count()).toBe(2);
    await playABit(other.page);
    await shot(other.page, '25-moved-and-opened-en');
  });

  it('26. an older project of bare names: what is beside it opens, the rest is located in one go (EN, FR)', async () => {
    const app = await stack.openApp('old');
    await signUp(app.page, 'projects26@example.com');
    await buyPro(app, '26');
    await closeThanks(app.page);
    for (const locale of ['en', 'fr'] as const) {
      if (locale === 'fr') await speak(app.page, 'fr');
      const stems = writeStems(path.join(stack.dataDir, `stems26-${locale}`));
      const old = path.join(stack.dataDir, `old26-${locale}`);
      mkdirSync(old, { recursive: true });
      // Format 2 as the app wrote it: bare names, no sends, no reverb bus, no export choices.
      const { reverb: _r, export: _e, master, ...rest } = newProject('Old song', 48000);
      const { preset: _p, ...oldMaster } = master;
      const tracks = [
        newTrack('t_drums', 'drums', 'drums.wav'),
        newTrack('t_bass', 'bass', 'bass.wav'),
        newTrack('t_pad', 'A pad whose name is much longer than the strip has room for', 'pad.wav'),
      ].map(({ send: _s, ...t }) => t);
      writeFileSync(
        path.join(old, 'Old song.siberia'),
        JSON.stringify({ ...rest, version: 2, master: oldMaster, tracks }),
      );
      // The pad sits beside the project: found by name. Drums and bass are elsewhere.
      writeFileSync(
        path.join(old, 'pad.wav'),
        encodeWav(sineSegments([[-18, 6]], { freq: 220 }), { format: 'wav16', ditherSeed: 3 }),
      );

      app.openDialog.next = path.join(old, 'Old song.siberia');
      await app.page.getByRole('button', { name: locale === 'en' ? 'Open…' : 'Ouvrir…' }).click();
      await expectText(
        app.page,
        locale === 'en' ? /Audio missing for: drums, bass\./ : /Audio manquant pour : drums, bass\./,
      );
      const locate = app.page.getByRole('button', { name: locale === 'en' ? 'Locate…' : 'Localiser…' });
      await expect.poll(() => locate.count()).toBe(2);
      // The long name is whole on hover.
      expect(
        await app.page
          .getByRole('textbox', { name: /Track name|Nom de la piste/ })
          .nth(2)
          .getAttribute('title'),
      ).toBe('A pad whose name is much longer than the strip has room for');
      await shot(app.page, `26-missing-${locale}`);

      app.openDialog.next = stems.drums;
      await locate.first().click();
      await expectText(
        app.page,
        locale === 'en' ? 'Audio found for: drums, bass.' : 'Audio retrouvé pour : drums, bass.',
      );
      await expect.poll(() => locate.count()).toBe(0);
      await expect.poll(() => app.page.locator('.strip canvas').count()).toBe(3);
      await shot(app.page, `26-located-${locale}`);

      // Saved again, it becomes a folder project carrying all three.
      await app.page
        .getByRole('button', { name: locale === 'en' ? 'Save' : 'Enregistrer', exact: true })
        .click();
      await expect
        .poll(() => readdirSync(path.join(old, 'Old song', 'Audio')).sort(), { timeout: 15_000 })
        .toEqual(['bass.wav', 'drums.wav', 'pad.wav']);

      // A recording a crash left unfinished: imported whole, and said so.
      const take = path.join(stack.dataDir, `take-${locale}.wav`);
      unfinished(stems.drums, take);
      await app.page.locator('[data-testid="import-input"]').first().setInputFiles([take]);
      await expectText(
        app.page,
        locale === 'en'
          ? '“take-en.wav”: recovered 6.0\u00a0s of a recording that was not finished (the file says 0.0\u00a0s).'
          : '« take-fr.wav » : 6,0\u00a0s récupérées d’un enregistrement inachevé (le fichier annonce 0,0\u00a0s).',
      );
      await expect.poll(() => app.page.locator('.strip canvas').count()).toBe(4);
      await shot(app.page, `26-unfinished-take-${locale}`);
    }
  });
});
