// The reverb send and bus and the timeline zoom of issue 19 in Chromium: set by mouse and by keys,
// undone and redone, saved in the project; zoom by keys, Ctrl+wheel around the pointer and Fit, with
// clip drags and trims landing where the pointer says at 4×; twelve strips with sends at 1280×800.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REVERB_BUS, type ProjectFile } from '../../contracts/project';
import { type Desk, importWav, openDesk, startDesk, toneWav } from './harness';

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

async function desk1280x800(locale: 'en' | 'fr' = 'en'): Promise<Page> {
  const page = await openDesk(desk, {
    info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale, deviceId: 'dev-test-0001' },
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  return page;
}
const strips = (page: Page) => page.getByTestId('strip');
const send = (page: Page, i: number) => strips(page).nth(i).getByRole('slider', { name: 'Reverb send' });
const bus = (page: Page, name: string) =>
  page.getByRole('region', { name: 'Reverb bus' }).getByRole('slider', { name, exact: true });
const text = (slider: ReturnType<typeof send>) => slider.getAttribute('aria-valuetext');
const autosaved = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __scripted: { state: { autosaved: ProjectFile | null } } }).__scripted.state
        .autosaved,
  );
/** Somewhere on the desk that takes no keys of its own. */
const blur = (page: Page) => page.locator('body').click({ position: { x: 700, y: 785 } });

/** Every value the send and bus controls show, as the musician reads them. */
async function shown(page: Page) {
  return {
    send0: await text(send(page, 0)),
    send1: await text(send(page, 1)),
    pre0: await strips(page)
      .nth(0)
      .getByRole('checkbox', { name: 'Send before the fader (pre)' })
      .isChecked(),
    returnDb: await text(bus(page, 'Return')),
    size: await text(bus(page, 'Size')),
    decay: await text(bus(page, 'Decay')),
    damping: await text(bus(page, 'Damping')),
    preDelay: await text(bus(page, 'Pre-delay')),
  };
}

describe('reverb send and bus', () => {
  it('are set by mouse and by keys, undone and redone, and saved in the project', async () => {
    const page = await desk1280x800();
    await importWav(page, 'Vocal.wav', toneWav(2, 220));
    await importWav(page, 'Guitar.wav', toneWav(2, 330));
    await strips(page).nth(0).getByRole('button', { name: 'EQ, compressor and more for Vocal' }).click();
    const before = await shown(page);
    expect(before).toEqual({
      send0: 'Off',
      send1: 'Off',
      pre0: false,
      returnDb: '0.0 dB',
      size: '50 %',
      decay: '1.80 s',
      damping: '40 %',
      preDelay: '20 ms',
    });

    // By mouse: a click at three quarters of the send's travel turns it on at that level.
    const box = (await send(page, 0).boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    const byMouse = await text(send(page, 0));
    expect(byMouse).toMatch(/^-?\d+\.\d dB$/);
    const level = Number.parseFloat(byMouse as string);
    expect(level).toBeGreaterThan(-30);
    expect(level).toBeLessThan(0);
    // By keys: up from off is −60 dB, then 0.5 dB a press; End is +6 dB.
    await send(page, 1).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    expect(await text(send(page, 1))).toBe('-59.0 dB');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowDown');
    expect(await text(send(page, 1))).toBe('5.5 dB');
    await strips(page).nth(0).getByRole('checkbox', { name: 'Send before the fader (pre)' }).check();
    // The bus: Size by mouse, the others by keys.
    const size = (await bus(page, 'Size').boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    await page.mouse.click(size.x + size.width * 0.9, size.y + size.height / 2);
    expect(await text(bus(page, 'Size'))).not.toBe('50 %');
    await bus(page, 'Decay').focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await bus(page, 'Return').focus();
    await page.keyboard.press('Home');
    await bus(page, 'Pre-delay').focus();
    await page.keyboard.press('End');
    const after = await shown(page);
    expect(after).toMatchObject({
      send0: byMouse,
      send1: '5.5 dB',
      pre0: true,
      returnDb: '−∞ dB',
      decay: '1.90 s',
      damping: '40 %',
      preDelay: '250 ms',
    });

    // Saved as the project holds them.
    await expect.poll(async () => (await autosaved(page))?.reverb.preDelayMs, { timeout: 10_000 }).toBe(250);
    const project = (await autosaved(page)) as ProjectFile;
    expect(project.tracks[0]?.send).toEqual({ enabled: true, levelDb: level, preFader: true });
    expect(project.tracks[1]?.send).toEqual({ enabled: true, levelDb: 5.5, preFader: false });
    expect(project.reverb).toMatchObject({ returnDb: -96, decaySec: 1.9, damping: 0.4, preDelayMs: 250 });
    expect(project.reverb.size).toBeGreaterThan(0.8);

    // Twelve steps (one click, five presses, the checkbox, one click, four presses): all undone, all redone.
    await blur(page);
    for (let i = 0; i < 12; i++) await page.keyboard.press('Control+z');
    await expect.poll(() => shown(page)).toEqual(before);
    for (let i = 0; i < 12; i++) await page.keyboard.press('Control+y');
    await expect.poll(() => shown(page)).toEqual(after);
    await page.keyboard.press('Control+z');
    expect(await text(bus(page, 'Pre-delay'))).toBe('20 ms');
    // Its bottom turns the send off, in the project too.
    await send(page, 1).focus();
    await page.keyboard.press('Home');
    expect(await text(send(page, 1))).toBe('Off');
    await expect
      .poll(async () => (await autosaved(page))?.tracks[1]?.send.enabled, { timeout: 10_000 })
      .toBe(false);
    expect((await autosaved(page))?.reverb.preDelayMs).toBe(DEFAULT_REVERB_BUS.preDelayMs);
    await page.close();
  });

  for (const locale of ['en', 'fr'] as const) {
    it(`leaves twelve whole strips with their sends, and the whole bus, on a 1280×800 screen (${locale})`, async () => {
      const page = await desk1280x800(locale);
      for (let i = 0; i < 12; i++) await importWav(page, `Track ${i + 1}.wav`, toneWav(1, 100 + 20 * i));
      const transportTop = (await page.locator('.transport').boundingBox())?.y as number;
      for (let i = 0; i < 12; i++) {
        const strip = (await strips(page).nth(i).boundingBox()) as { y: number; height: number };
        expect(strip.y + strip.height, `strip ${i} on screen`).toBeLessThanOrEqual(transportTop);
        const slider = (await strips(page).nth(i).getByTestId('send').boundingBox()) as { width: number };
        expect(slider.width, `send ${i} has a travel`).toBeGreaterThan(30);
      }
      // Every bus control is on screen too, its value whole.
      const values = await page
        .getByTestId('reverb')
        .locator('.slider')
        .evaluateAll((els) =>
          els.map((el) => {
            const r = el.getBoundingClientRect();
            const out = el.querySelector('output') as HTMLElement;
            return { bottom: r.bottom, whole: out.scrollWidth <= out.clientWidth };
          }),
        );
      expect(values).toHaveLength(5);
      for (const v of values) {
        expect(v.bottom).toBeLessThanOrEqual(transportTop);
        expect(v.whole).toBe(true);
      }
      await page.close();
    });
  }
});

describe('timeline zoom', () => {
  const zoomLevel = (page: Page) => page.getByTestId('zoom-level').innerText();
  const viewStart = async (page: Page) =>
    Number(await page.getByRole('scrollbar', { name: 'Scroll the timeline' }).getAttribute('aria-valuenow'));
  const part = (page: Page, name: string) => page.getByRole('slider', { name, exact: true });
  const value = async (page: Page, name: string) =>
    Number(await part(page, name).getAttribute('aria-valuenow'));
  const laneWidth = async (page: Page) =>
    ((await page.getByTestId('timeline').boundingBox()) as { width: number }).width;

  async function dragBy(page: Page, name: string, dx: number): Promise<void> {
    const box = await part(page, name).boundingBox();
    if (!box) throw new Error(`${name} is not on screen`);
    const x = Math.max(box.x, 0) + Math.min(box.width / 2, 20);
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 5; i++) await page.mouse.move(x + (dx * i) / 5, y);
    await page.mouse.up();
  }

  it('zooms by keys, by Ctrl+wheel around the pointer and back to Fit; clips drag and trim where the pointer says at 4×', async () => {
    const page = await desk1280x800();
    await importWav(page, 'Long.wav', toneWav(20, 110));
    await importWav(page, 'Other.wav', toneWav(10, 220));
    expect(await zoomLevel(page)).toBe('1.0×');
    const ticksAtFit = await page.locator('.tick').allInnerTexts();
    expect(ticksAtFit[0]).toBe('0:00');
    expect(ticksAtFit.at(-1)).toBe('0:20');

    // + twice: 4×, around the playhead at the start, so 0 … 5 s; the ruler follows.
    await blur(page);
    await page.keyboard.press('+');
    expect(await zoomLevel(page)).toBe('2.0×');
    await page.keyboard.press('+');
    expect(await zoomLevel(page)).toBe('4.0×');
    expect(await viewStart(page)).toBe(0);
    const ticks = await page.locator('.tick').allInnerTexts();
    // Half-second ticks now, with their tenths.
    expect(ticks[0]).toBe('0:00.0');
    expect(ticks[1]).toBe('0:00.5');
    expect(ticks.at(-1)).toBe('0:05.0');
    // The waveform's canvas covers the lane, not the 4× wider clip, and has drawn.
    const canvas = strips(page).nth(0).locator('canvas');
    const drawn = await canvas.evaluate((el: HTMLCanvasElement) => {
      const g = el.getContext('2d') as CanvasRenderingContext2D;
      const data = g.getImageData(0, 0, el.width, el.height).data;
      let lit = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) lit++;
      return { width: el.getBoundingClientRect().width, lit: lit / (el.width * el.height) };
    });
    expect(drawn.width).toBeLessThanOrEqual((await laneWidth(page)) + 1);
    expect(drawn.lit).toBeGreaterThan(0.1);
    // − once, then Fit.
    await page.keyboard.press('-');
    expect(await zoomLevel(page)).toBe('2.0×');
    await page.getByRole('button', { name: 'Fit' }).click();
    expect(await zoomLevel(page)).toBe('1.0×');

    // Ctrl+wheel at three quarters of the lane (15 s): that time stays under the pointer.
    const ruler = (await page.getByTestId('timeline').boundingBox()) as {
      x: number;
      y: number;
      width: number;
    };
    await page.mouse.move(ruler.x + ruler.width * 0.75, ruler.y + 10);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -200);
    await expect.poll(() => zoomLevel(page)).toBe('2.0×');
    await page.mouse.wheel(0, -200);
    await expect.poll(() => zoomLevel(page)).toBe('4.0×');
    await page.keyboard.up('Control');
    expect(await viewStart(page)).toBeCloseTo(15 - 0.75 * 5, 1);
    // A click on the ruler seeks within the part in view.
    await page.mouse.click(ruler.x + ruler.width * 0.5, ruler.y + 10);
    await expect
      .poll(() => page.getByRole('status', { name: 'Position' }).innerText())
      .toMatch(/^0:13\.[6-9]/);
    // The scrollbar by keys: Home goes back to the song's start, at the same zoom.
    await page.getByRole('scrollbar', { name: 'Scroll the timeline' }).focus();
    await page.keyboard.press('Home');
    expect(await viewStart(page)).toBe(0);
    expect(await zoomLevel(page)).toBe('4.0×');

    // At 4× (5 s across the lane) a 100 px drag moves the clip by 100 px worth of 5 s, on the 10 ms grid.
    const secPerPx = 5 / (await laneWidth(page));
    await dragBy(page, 'Position of Long', 100);
    const moved = await value(page, 'Position of Long');
    expect(Math.abs(moved - 100 * secPerPx)).toBeLessThanOrEqual(0.011);
    expect(Math.abs(moved * 100 - Math.round(moved * 100))).toBeLessThan(1e-6);
    // Its start edge trimmed by 60 px.
    await dragBy(page, 'Start of Long (trim)', 60);
    const trimmed = await value(page, 'Start of Long (trim)');
    expect(Math.abs(trimmed - (moved + 60 * secPerPx))).toBeLessThanOrEqual(0.011);
    // The fade in drawn by 40 px.
    await dragBy(page, 'Fade in of Long', 40);
    expect(Math.abs((await value(page, 'Fade in of Long')) - 40 * secPerPx)).toBeLessThanOrEqual(0.011);
    // Undone and redone as ever; the zoom is not part of the history.
    await blur(page);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Control+z');
    expect(await value(page, 'Position of Long')).toBe(0);
    expect(await zoomLevel(page)).toBe('4.0×');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Control+y');
    expect(await value(page, 'Start of Long (trim)')).toBeCloseTo(trimmed, 6);
    await page.close();
  });
});
