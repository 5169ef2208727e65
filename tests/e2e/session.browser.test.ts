// A restart (or a crash) brings the open session back for everyone, free or Pro: the mix settings
// from the autosave and the sound from the audio main keeps beside it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectText, importStems, playABit, shot, writeStems } from './musician';
import { type Stack, startStack } from './stack';

describe('the session survives a restart', { timeout: 120_000 }, () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('13. a free musician restarts the app: the tracks, their settings and their sound are back', async () => {
    const stems = writeStems(path.join(stack.dataDir, 'stems'));
    const app = await stack.openApp('restart');
    await importStems(app.page, [stems.drums, stems.bass]);
    const fader = app.page.getByRole('slider', { name: 'Gain' }).first();
    await fader.focus();
    await app.page.keyboard.press('ArrowDown');
    await app.page.keyboard.press('ArrowDown');
    const autosave = path.join(app.dataDir, 'autosave.json');
    await expect
      .poll(() => existsSync(autosave) && readFileSync(autosave, 'utf8').includes('"gainDb":-1'), {
        timeout: 10_000,
      })
      .toBe(true);
    await app.close();

    const again = await stack.openApp('restart');
    await expectText(again.page, 'Your last session is back, sound and all.');
    expect(await again.page.getByRole('textbox', { name: 'Track name' }).count()).toBe(2);
    expect(await again.page.getByText(/Audio missing/).count()).toBe(0);
    // The first strip's gain value (the timeline's zoom level is a status too, earlier on the page).
    const firstStrip = again.page
      .getByRole('listitem')
      .filter({ has: again.page.getByRole('textbox', { name: 'Track name' }) })
      .first();
    const gainValue = firstStrip
      .locator('.slider')
      .filter({ has: again.page.getByRole('slider', { name: 'Gain', exact: true }) })
      .getByRole('status');
    await expect.poll(() => gainValue.innerText()).toBe('-1.0 dB');
    await playABit(again.page);
    await shot(again.page, '13-restored-with-sound');
  });
});
