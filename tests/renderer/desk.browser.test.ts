// The mixing desk in Chromium: the real renderer build, with the scripted bridge standing in for
// main (contract-valid answers), so the desk's own behaviour is tested without the services.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../engine/index';
import { type Desk, exportMix, importWav, openDesk, scriptedCalls, startDesk, toneWav } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

const strips = (page: Page) =>
  page.getByRole('listitem').filter({ has: page.getByRole('textbox', { name: 'Track name' }) });
const stripValue = (page: Page, index: number, nth: number) =>
  strips(page).nth(index).getByRole('status').nth(nth).innerText();
const savedState = (page: Page) =>
  page.evaluate(
    () =>
      (
        window as unknown as {
          __scripted: { state: { saved: { name: string; bytes: number }[]; autosaved: unknown } };
        }
      ).__scripted.state,
  );

describe('the desk', () => {
  it('imports a WAV by the button and draws its waveform on a canvas sized for the screen', async () => {
    const page = await openDesk(desk, {}, 2);
    await importWav(page, 'Drums.wav', toneWav(3));
    expect(await page.getByRole('textbox', { name: 'Track name' }).inputValue()).toBe('Drums');
    const canvas = page.getByRole('img', { name: 'Waveform of Drums' });
    const size = await canvas.evaluate((c: HTMLCanvasElement) => ({ w: c.width, css: c.clientWidth }));
    expect(size.w).toBe(size.css * 2);
    const inked = await canvas.evaluate((c: HTMLCanvasElement) => {
      const data = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(
        0,
        0,
        c.width,
        c.height,
      ).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    await page.close();
  });

  it('says which file cannot be read and imports the others', async () => {
    const page = await openDesk(desk);
    await page.setInputFiles('[data-testid="import-input"]', [
      {
        name: 'broken.wav',
        mimeType: 'audio/wav',
        buffer: Buffer.from('RIFF\u0004\u0000\u0000\u0000WAVEjunk'),
      },
      { name: 'notes.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('this is not audio at all') },
      { name: 'Bass.wav', mimeType: 'audio/wav', buffer: toneWav(1, 55) },
    ]);
    await strips(page).first().waitFor();
    await expect.poll(() => page.getByRole('alert').count()).toBe(2);
    const alerts = await page.getByRole('alert').allInnerTexts();
    expect(alerts[0]).toMatch(/^Could not read “broken\.wav”: /);
    expect(alerts[1]).toContain('Could not read “notes.mp3”: this is not an audio file Siberia Mix can read');
    expect(await strips(page).count()).toBe(1);
    await page.close();
  });

  it('imports by drag and drop', async () => {
    const page = await openDesk(desk);
    const wav = toneWav(1).toString('base64');
    const transfer = await page.evaluateHandle((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'Dropped.wav', { type: 'audio/wav' }));
      return dt;
    }, wav);
    await page.dispatchEvent('.app', 'dragover', { dataTransfer: transfer });
    await page.dispatchEvent('.app', 'drop', { dataTransfer: transfer });
    await strips(page).first().waitFor();
    expect(await page.getByRole('textbox', { name: 'Track name' }).inputValue()).toBe('Dropped');
    await page.close();
  });

  it('moves a fader, resets it by double-click, and undoes and redoes with the keyboard', async () => {
    const page = await openDesk(desk);
    await importWav(page, 'Keys.wav', toneWav(1));
    const fader = strips(page).first().getByRole('slider', { name: 'Gain' });
    await fader.focus();
    await page.keyboard.press('PageDown');
    const once = await stripValue(page, 0, 0);
    await page.keyboard.press('PageDown');
    const moved = await stripValue(page, 0, 0);
    expect(moved).toMatch(/^-\d+\.\d dB$/);
    expect(moved).not.toBe(once);
    // Each key press is a step of its own (a held key or a drag is one).
    await page.locator('body').click({ position: { x: 700, y: 690 } });
    await page.keyboard.press('Control+z');
    expect(await stripValue(page, 0, 0)).toBe(once);
    await page.keyboard.press('Control+z');
    expect(await stripValue(page, 0, 0)).toBe('0.0 dB');
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+Shift+z');
    expect(await stripValue(page, 0, 0)).toBe(moved);
    await fader.dblclick();
    expect(await stripValue(page, 0, 0)).toBe('0.0 dB');
    await page.locator('body').click({ position: { x: 700, y: 690 } });
    await page.keyboard.press('Control+z');
    expect(await stripValue(page, 0, 0)).not.toBe('0.0 dB');
    await page.keyboard.press('Control+Shift+z');
    expect(await stripValue(page, 0, 0)).toBe('0.0 dB');
    await page.close();
  });

  it('mutes and solos, pans, renames, reorders and removes a track, undoably', async () => {
    const page = await openDesk(desk);
    await importWav(page, 'A.wav', toneWav(1));
    await importWav(page, 'B.wav', toneWav(1));
    const mute = strips(page).first().getByRole('button', { name: 'Mute' });
    await mute.click();
    expect(await mute.getAttribute('aria-pressed')).toBe('true');
    const solo = strips(page).nth(1).getByRole('button', { name: 'Solo' });
    await solo.click();
    expect(await solo.getAttribute('aria-pressed')).toBe('true');
    const pan = strips(page).first().getByRole('slider', { name: 'Pan' });
    await pan.focus();
    await page.keyboard.press('ArrowLeft');
    expect(await stripValue(page, 0, 1)).toBe('L1');
    const name = strips(page).first().getByRole('textbox', { name: 'Track name' });
    await name.fill('Lead');
    await name.press('Enter');
    await page.getByRole('button', { name: 'EQ, compressor and more for Lead' }).click();
    await page.getByRole('button', { name: 'Move Lead down' }).click();
    expect(await page.getByRole('textbox', { name: 'Track name' }).nth(1).inputValue()).toBe('Lead');
    await page.getByRole('button', { name: 'Remove Lead' }).click();
    expect(await strips(page).count()).toBe(1);
    await page
      .getByRole('status')
      .filter({ hasText: '“Lead” removed' })
      .getByRole('button', { name: 'Undo' })
      .click();
    expect(await strips(page).count()).toBe(2);
    await page.close();
  });

  it('plays: the playhead moves, the meters read the master, space pauses', async () => {
    const page = await openDesk(desk);
    await importWav(page, 'Tone.wav', toneWav(4));
    await page.getByRole('button', { name: 'Play' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    const clock = page.getByRole('status', { name: 'Position' });
    await expect
      .poll(async () => (await clock.innerText()).startsWith('0:00.0'), { timeout: 8000 })
      .toBe(false);
    await expect
      .poll(() => page.getByTestId('meter-momentary').innerText(), { timeout: 8000 })
      .toMatch(/LUFS$/);
    expect(await page.getByTestId('meter-peak').innerText()).toMatch(/dBTP$/);
    await page.locator('body').click({ position: { x: 700, y: 690 } });
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play' }).waitFor();
    await page.close();
  });

  it('lays nothing out while it stands still (the playhead redraws only what moved)', async () => {
    const page = await openDesk(desk);
    await importWav(page, 'Tone.wav', toneWav(4));
    await page.waitForTimeout(500);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const layouts = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'LayoutCount')?.value ?? 0;
    const before = await layouts();
    await page.waitForTimeout(1000);
    // Every frame's clock written anew laid the desk out some 60 times a second (and left its
    // layout objects to the garbage collector): none now, while nothing changes.
    expect((await layouts()) - before).toBeLessThan(5);
    expect(await page.getByRole('status', { name: 'Position' }).innerText()).toMatch(/^0:00\.0 \/ 0:04\.0$/);
    await cdp.detach();
    await page.close();
  });

  it('seeks by clicking the timeline', async () => {
    const page = await openDesk(desk);
    await importWav(page, 'Tone.wav', toneWav(4));
    const ruler = page.getByTestId('timeline');
    const box = (await ruler.boundingBox()) as { width: number };
    await ruler.click({ position: { x: box.width / 2, y: 10 } });
    await expect.poll(() => page.getByRole('status', { name: 'Position' }).innerText()).toMatch(/^0:02\.0/);
    await page.close();
  });

  it('autosaves the session and restores it at start, asking for the audio again', async () => {
    let page = await openDesk(desk);
    await importWav(page, 'Vox.wav', toneWav(1));
    await expect.poll(async () => (await savedState(page)).autosaved !== null, { timeout: 8000 }).toBe(true);
    const project = (await savedState(page)).autosaved;
    await page.close();
    page = await openDesk(desk, { restore: { savedAt: new Date().toISOString(), project } as never });
    expect(await page.getByRole('textbox', { name: 'Track name' }).inputValue()).toBe('Vox');
    await page.getByText('Audio missing: import “Vox.wav” again').waitFor();
    await page.setInputFiles('[data-testid="import-input"]', {
      name: 'Vox.wav',
      mimeType: 'audio/wav',
      buffer: toneWav(1),
    });
    await page.getByRole('img', { name: 'Waveform of Vox' }).waitFor();
    expect(await strips(page).count()).toBe(1);
    await page.close();
  });
});

describe('exports and masters when granted', () => {
  it('renders in the Worker with progress and hands the WAV to main as it is encoded', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
    await importWav(page, 'Mix.wav', toneWav(2));
    await exportMix(page);
    await page.getByText(/^Saved to \/home\/musician\/Music\//).waitFor({ timeout: 20_000 });
    const calls = await scriptedCalls(page);
    const save = calls.find((c) => c.name === 'gate.beginRender')?.input as {
      grantId: string;
      kind: string;
      suggestedName: string;
    };
    expect(save).toMatchObject({ kind: 'export', suggestedName: 'Siberia Mix - mix.wav' });
    expect(save.grantId).toMatch(/^grant-export-/);
    // Where first, then the pieces (the header last, over the first bytes), then the file in place.
    const names = calls.map((c) => c.name).filter((n) => n.startsWith('gate.') && n !== 'gate.authorize');
    expect(names[0]).toBe('gate.beginRender');
    expect(names.at(-1)).toBe('gate.finishRender');
    expect(names.slice(1, -1).every((n) => n === 'gate.writeRender')).toBe(true);
    expect(calls.some((c) => c.name === 'gate.saveRender')).toBe(false);
    // Each piece goes to main as its own bytes, the last (shorter) one too: not its 4 MiB buffer.
    const pieces = calls
      .filter((c) => c.name === 'gate.writeRender')
      .map((c) => c.input as { carried: number });
    expect(pieces.reduce((n, p) => n + p.carried, 0)).toBe(44 + 2 * 48000 * 2 * 3);
    expect((await savedState(page)).saved[0]?.bytes).toBe(44 + 2 * 48000 * 2 * 3);
    await page.close();
  });

  it('the scripted main can count renders without keeping them (for the export memory benchmark)', async () => {
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: proEntitlements(5),
      keepRenders: false,
    });
    await importWav(page, 'Mix.wav', toneWav(2));
    // The export streams (writeRender, the header patched last), the master is saved whole (saveRender).
    await exportMix(page);
    await page.getByText(/^Saved to .*mix\.wav$/).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Master', exact: true }).click();
    const report = page.getByRole('dialog', { name: 'Your master is ready' });
    await report.waitFor({ timeout: 30_000 });
    await report.getByRole('button', { name: 'Save master' }).click();
    await page.getByText(/^Saved to .*master\.wav$/).waitFor();
    const bytes = 44 + 2 * 48000 * 2 * 3;
    expect((await savedState(page)).saved).toEqual([
      { name: 'Siberia Mix - mix.wav', bytes },
      { name: 'Siberia Mix - master.wav', bytes },
    ]);
    await page.close();
  });

  it('moves a track in time by typing and by keys, undoably, and the export starts it there', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
    await importWav(page, 'Late.wav', toneWav(2));
    await page.getByRole('button', { name: 'EQ, compressor and more for Late' }).click();
    const start = strips(page).first().getByRole('textbox', { name: 'Start' });
    await expect.poll(() => start.inputValue()).toBe('0.00');
    // Either decimal mark, as a French keyboard would type it.
    await start.fill('1,5');
    await start.press('Enter');
    await expect.poll(() => start.inputValue()).toBe('1.50');
    await start.focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => start.inputValue()).toBe('1.60');
    await page.keyboard.press('Shift+ArrowUp');
    await expect.poll(() => start.inputValue()).toBe('2.60');
    await page.keyboard.press('PageDown');
    await expect.poll(() => start.inputValue()).toBe('1.60');
    await page.keyboard.press('Home');
    await expect.poll(() => start.inputValue()).toBe('0.00');
    await page.locator('body').click({ position: { x: 700, y: 690 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => start.inputValue()).toBe('1.60');
    // Keys pressed faster than the desk redraws all count.
    await start.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowUp');
    await expect.poll(() => start.inputValue()).toBe('2.10');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(() => start.inputValue()).toBe('1.60');
    // Not a time: the field goes back and nothing changes.
    for (const nonsense of ['soon', '-3', '1:75']) {
      await start.fill(nonsense);
      await start.press('Enter');
      await expect.poll(() => start.inputValue()).toBe('1.60');
    }
    await start.fill('abc');
    await start.press('Escape');
    await expect.poll(() => start.inputValue()).toBe('1.60');
    await exportMix(page);
    await page.getByText(/^Saved to \/home\/musician\/Music\//).waitFor({ timeout: 20_000 });
    // 1.6 s of silence, then the 2 s tone: 24-bit stereo at 48 kHz after a 44-byte header.
    expect((await savedState(page)).saved[0]?.bytes).toBe(44 + Math.round(3.6 * 48000) * 2 * 3);
    await page.close();
  });

  it('cancels an export while its file is being written: no more pieces, nothing finished, the grant goes back', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
    await importWav(page, 'Long.wav', toneWav(30));
    // A slow disk: 30 s of 24-bit stereo is two pieces, the first written in 1.5 s.
    await page.evaluate(() => {
      (
        window as unknown as { __scripted: { state: { writeDelayMs: number } } }
      ).__scripted.state.writeDelayMs = 1500;
    });
    await exportMix(page);
    await expect
      .poll(async () => (await scriptedCalls(page)).filter((c) => c.name === 'gate.writeRender').length)
      .toBe(1);
    await page.getByTestId('render-progress').getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Render cancelled: nothing was written and nothing was counted.').waitFor();
    await page.waitForTimeout(2000);
    const calls = await scriptedCalls(page);
    const begun = calls.find((c) => c.name === 'gate.beginRender')?.input as { grantId: string };
    const released = calls.find((c) => c.name === 'gate.release')?.input as { grantId: string } | undefined;
    expect(released?.grantId).toBe(begun.grantId);
    expect(calls.filter((c) => c.name === 'gate.writeRender')).toHaveLength(1);
    expect(calls.some((c) => c.name === 'gate.finishRender')).toBe(false);
    expect((await savedState(page)).saved).toEqual([]);
    expect(await page.getByRole('button', { name: 'Export mix' }).isEnabled()).toBe(true);
    await page.close();
  });

  it('cancels a render: nothing is handed to main, and its grant goes back', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
    await importWav(page, 'Long.wav', toneWav(60));
    await page.getByRole('button', { name: 'Master', exact: true }).click();
    await page.getByTestId('render-progress').getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Render cancelled: nothing was written and nothing was counted.').waitFor();
    const calls = await scriptedCalls(page);
    expect(calls.some((c) => c.name === 'gate.saveRender')).toBe(false);
    const grant = calls.find((c) => c.name === 'gate.authorize');
    const released = calls.find((c) => c.name === 'gate.release')?.input as { grantId: string } | undefined;
    expect(grant && released?.grantId).toMatch(/^grant-master-/);
    expect(await page.getByRole('button', { name: 'Export mix' }).isEnabled()).toBe(true);
    await page.close();
  });

  it('a master shows before and after, then saves', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
    await importWav(page, 'Song.wav', toneWav(3));
    await page.getByRole('button', { name: 'Master', exact: true }).click();
    const report = page.getByRole('dialog', { name: 'Your master is ready' });
    await report.waitFor({ timeout: 30_000 });
    expect(await report.innerText()).toMatch(/-14\.0 LUFS/);
    await report.getByRole('button', { name: 'B: mastered' }).click();
    await report.getByRole('button', { name: 'Play A/B' }).click();
    await report.getByRole('button', { name: 'A: original mix' }).click();
    expect(await report.getByRole('button', { name: 'A: original mix' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await report.getByRole('button', { name: 'Save master' }).click();
    await page.getByText(/^Saved to .*master\.wav$/).waitFor();
    // Encoded from the master the Worker kept, and written through main a piece at a time.
    const calls = await scriptedCalls(page);
    expect(calls.find((c) => c.name === 'gate.beginRender')?.input).toMatchObject({
      kind: 'master',
      suggestedName: 'Siberia Mix - master.wav',
    });
    expect(calls.some((c) => c.name === 'gate.finishRender')).toBe(true);
    expect(calls.some((c) => c.name === 'gate.saveRender')).toBe(false);
    expect((await savedState(page)).saved.map((f) => f.bytes)).toEqual([44 + 3 * 48000 * 2 * 3]);
    await page.close();
  });
});

describe('header and keyboard', () => {
  it('shows the Pro badge and the usage gauge', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
    expect(await page.getByTestId('plan-badge').innerText()).toBe('PRO');
    expect(await page.getByTestId('usage-gauge').innerText()).toBe('5/500 exports · 1/100 masters');
    await page.close();
  });

  it('a modal traps focus and gives it back when closed', async () => {
    const page = await openDesk(desk);
    const goPro = page.getByRole('banner').getByRole('button', { name: 'Go Pro' });
    await goPro.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Choose your plan' });
    await dialog.waitFor();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press('Escape');
    expect(await goPro.evaluate((b) => b === document.activeElement)).toBe(true);
    await page.close();
  });

  it('switches to French from the settings', async () => {
    const page = await openDesk(desk);
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Français' }).check();
    await page.getByRole('button', { name: 'Fermer' }).last().click();
    await page.getByRole('button', { name: 'Importer de l’audio' }).first().waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    expect((await scriptedCalls(page)).some((c) => c.name === 'app.setLocale')).toBe(true);
    await page.close();
  });
});

// The WAV the harness writes decodes with the engine: the fixtures are what they claim to be.
it('fixture WAVs are real audio', () => {
  expect(decodeWav(new Uint8Array(toneWav(1))).channels).toHaveLength(2);
});
