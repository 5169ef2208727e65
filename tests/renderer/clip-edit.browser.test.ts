// Clip editing in Chromium: drag, trim and fades by mouse and by keyboard, undone and redone, then
// exported and checked sample by sample against the engine's render of the same project.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectFile } from '../../contracts/project';
import { decodeWav, encodeWav, renderMix } from '../../engine/index';
import { type Desk, exportMix, importWav, openDesk, startDesk, toneWav } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

type Scripted = { state: { saved: { base64?: string }[]; autosaved: ProjectFile | null } };
const scripted = (page: Page) =>
  page.evaluate(() => (window as unknown as { __scripted: Scripted }).__scripted.state);
const part = (page: Page, name: string) => page.getByRole('slider', { name, exact: true });
const value = async (page: Page, name: string) =>
  Number(await part(page, name).getAttribute('aria-valuenow'));
/** Every clip value of "Clip", as the handles say. */
const clipValues = async (page: Page) => ({
  position: await value(page, 'Position of Clip'),
  start: await value(page, 'Start of Clip (trim)'),
  end: await value(page, 'End of Clip (trim)'),
  fadeIn: await value(page, 'Fade in of Clip'),
  fadeOut: await value(page, 'Fade out of Clip'),
});

async function dragBy(page: Page, name: string, dx: number, alt = false): Promise<void> {
  const box = await part(page, name).boundingBox();
  if (!box) throw new Error(`${name} is not on screen`);
  const x = box.x + Math.min(box.width / 2, 20);
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  if (alt) await page.keyboard.down('Alt');
  for (let i = 1; i <= 5; i++) await page.mouse.move(x + (dx * i) / 5, y);
  await page.mouse.up();
  if (alt) await page.keyboard.up('Alt');
}

const TONE = toneWav(2, 220);
const OTHER = toneWav(4, 330);

describe('clip editing', () => {
  it('drags, trims and fades by mouse and keys, undoably; the export plays exactly that', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(5) });
    await page.setViewportSize({ width: 1280, height: 800 });
    await importWav(page, 'Clip.wav', TONE);
    await importWav(page, 'Other.wav', OTHER);
    const original = await clipValues(page);
    expect(original).toEqual({ position: 0, start: 0, end: 2, fadeIn: 0, fadeOut: 0 });

    // By mouse: move the clip right, then trim both edges and draw both fades.
    await dragBy(page, 'Position of Clip', 60);
    const moved = await clipValues(page);
    expect(moved.position).toBeGreaterThan(0.1);
    // Snapped to the 10 ms grid.
    expect(Math.abs(moved.position * 100 - Math.round(moved.position * 100))).toBeLessThan(1e-6);
    await dragBy(page, 'Start of Clip (trim)', 40);
    await dragBy(page, 'End of Clip (trim)', -50);
    await dragBy(page, 'Fade in of Clip', 30);
    await dragBy(page, 'Fade out of Clip', -30);
    const byMouse = await clipValues(page);
    expect(byMouse.start).toBeGreaterThan(moved.position);
    expect(byMouse.end).toBeLessThan(moved.position + 2);
    expect(byMouse.fadeIn).toBeGreaterThan(0);
    expect(byMouse.fadeOut).toBeGreaterThan(0);
    // Alt drags off the grid.
    await dragBy(page, 'Fade in of Clip', 7, true);
    const free = await value(page, 'Fade in of Clip');
    expect(free).not.toBe(byMouse.fadeIn);

    // By keys: 10 ms a press, 100 ms with Shift.
    await part(page, 'Fade in of Clip').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await part(page, 'Fade out of Clip').focus();
    await page.keyboard.press('Shift+ArrowLeft');
    await part(page, 'Position of Clip').focus();
    await page.keyboard.press('ArrowRight');
    await part(page, 'End of Clip (trim)').focus();
    await page.keyboard.press('ArrowLeft');
    const byKeys = await clipValues(page);
    expect(byKeys.fadeIn).toBeCloseTo(free + 0.02, 3);
    expect(byKeys.fadeOut).toBeCloseTo(byMouse.fadeOut + 0.1, 3);
    expect(byKeys.position).toBeCloseTo(byMouse.position + 0.01, 3);
    expect(byKeys.end).toBeCloseTo(byMouse.end + 0.01 - 0.01, 3);

    // Eleven edits: all undone, all redone.
    await page.locator('body').click({ position: { x: 700, y: 775 } });
    for (let i = 0; i < 11; i++) await page.keyboard.press('Control+z');
    await expect.poll(() => clipValues(page)).toEqual(original);
    for (let i = 0; i < 11; i++) await page.keyboard.press('Control+y');
    await expect.poll(() => clipValues(page)).toEqual(byKeys);

    // The export, against the engine's render of the autosaved project.
    await expect
      .poll(async () => (await scripted(page)).autosaved?.tracks[0]?.clip.fadeInSec, { timeout: 10_000 })
      .toBeCloseTo(byKeys.fadeIn, 6);
    const project = (await scripted(page)).autosaved as ProjectFile;
    await exportMix(page);
    await page.getByText(/^Saved to \/home\/musician\/Music\//).waitFor({ timeout: 20_000 });
    const saved = (await scripted(page)).saved[0]?.base64 as string;
    const exported = decodeWav(new Uint8Array(Buffer.from(saved, 'base64')));
    const [a, b] = project.tracks;
    const expected = renderMix({
      tracks: project.tracks,
      master: project.master,
      sampleRate: project.sampleRate,
      sources: [
        { trackId: a?.id as string, audio: decodeWav(new Uint8Array(TONE)) },
        { trackId: b?.id as string, audio: decodeWav(new Uint8Array(OTHER)) },
      ],
    });
    // The same 24-bit file the app writes, compared sample for sample.
    const reference = decodeWav(encodeWav(expected, { format: 'wav24' }));
    expect(exported.channels[0]).toHaveLength(reference.channels[0]?.length as number);
    expect(exported.channels).toEqual(reference.channels);
    await page.close();
  });
});
