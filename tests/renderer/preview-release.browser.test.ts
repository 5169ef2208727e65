// The preview lets go of a forgotten source for real (issue 20): its worklet's thread would keep it
// until V8 collects there, which it may not do for minutes (bench/preview-release.ts), so once the
// preview is stopped the desk's AudioContext is renewed: the old one (and its worklet thread) closed,
// a new worklet given only the sources left, the playhead kept; it plays them, the meters read them,
// a seek lands. Forgotten while playing, the renewal waits for the stop. The copies the old worklet
// made at its rate are handed back to the new one rather than made again. Each siberia-mix node is
// watched in the page (its context, the sources posted to it, the peaks it reports). Needs `npm run build`.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../../contracts/project';
import { type Desk, importWav, openDesk, startDesk, toneWav } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

let desk: Desk;
let rate = 48000;
beforeAll(async () => {
  desk = await startDesk();
  const probe = await desk.browser.newPage();
  await probe.goto(desk.server.url);
  rate = await probe.evaluate(async () => {
    const context = new AudioContext();
    const r = context.sampleRate;
    await context.close();
    return r;
  });
  await probe.close();
});
afterAll(() => desk?.close());

type Sent = { type: string; trackId?: string; trackIds?: string[] };
type Watched = { state: string; sent: Sent[]; peak: Record<string, number> };

/** Before the desk's scripts: each preview worklet node, its context, what it is sent and reports. */
const watch = `(() => {
  const nodes = [];
  window.__preview = nodes;
  const Native = window.AudioWorkletNode;
  window.AudioWorkletNode = class extends Native {
    constructor(context, name, options) {
      super(context, name, options);
      if (name !== 'siberia-mix') return;
      const entry = { context, sent: [], peak: {}, channels: {}, handed: null };
      nodes.push(entry);
      const port = this.port;
      const post = port.postMessage.bind(port);
      port.postMessage = (m, transfer) => {
        if (m && ['source', 'forget', 'clear', 'handBack'].includes(m.type))
          entry.sent.push({ type: m.type, trackId: m.trackId, trackIds: m.trackIds });
        if (m && m.type === 'source') entry.channels[m.trackId] = m.channels;
        return post(m, transfer);
      };
      port.addEventListener('message', (e) => {
        if (e.data.type === 'handedBack') entry.handed = e.data.sources;
        if (e.data.type !== 'peaks') return;
        e.data.trackIds.forEach((id, i) => {
          entry.peak[id] = Math.max(entry.peak[id] || 0, e.data.peaks[2 * i], e.data.peaks[2 * i + 1]);
        });
      });
    }
  };
})();`;

const nodes = (page: Page): Promise<Watched[]> =>
  page.evaluate(() =>
    (
      window as unknown as {
        __preview: { context: AudioContext; sent: Sent[]; peak: Record<string, number> }[];
      }
    ).__preview.map((n) => ({ state: n.context.state, sent: n.sent, peak: n.peak })),
  );

const sources = (n: Watched | undefined) =>
  (n?.sent ?? []).filter((m) => m.type === 'source').map((m) => m.trackId);

function openWatched(): Promise<Page> {
  return openDesk(
    desk,
    { account: signedIn(), entitlements: proEntitlements(5), openProject: newProject('Next', 48000) },
    1,
    watch,
  );
}

/**
 * Two tracks, Keep then Gone; at the context's rate (the default) the worklet reads the shared
 * sources themselves, at another it gets copies of its own, resampled.
 */
async function twoTracks(page: Page, at = rate, keepSeconds = 6): Promise<{ keep: string; gone: string }> {
  await importWav(page, 'Keep.wav', toneWav(keepSeconds, 220, at));
  // Keep's source in the worklet before Gone is imported: the order they arrive in names them.
  await expect.poll(async () => sources((await nodes(page))[0]).length, { timeout: 10_000 }).toBe(1);
  await importWav(page, 'Gone.wav', toneWav(6, 330, at));
  await expect.poll(async () => sources((await nodes(page))[0]).length, { timeout: 10_000 }).toBe(2);
  const [keep, gone] = sources((await nodes(page))[0]) as [string, string];
  return { keep, gone };
}

/** Gone's import undone, then a change to Keep (muted and back): the redo goes, Gone for good. */
async function forgetGone(page: Page): Promise<void> {
  await page.getByRole('toolbar').getByRole('button', { name: 'Undo', exact: true }).click();
  await page.getByRole('img', { name: 'Waveform of Gone' }).waitFor({ state: 'detached' });
  const mute = page
    .getByRole('listitem', { name: 'Track Keep' })
    .getByRole('button', { name: 'Mute', exact: true });
  await mute.click();
  await mute.click();
}

const clock = (page: Page) => page.getByRole('status', { name: 'Position' });

describe('the preview lets go of forgotten sources', () => {
  it('stopped: renews its context, keeps the playhead, plays, meters and seeks what is left', async () => {
    const page = await openWatched();
    const { keep, gone } = await twoTracks(page);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect
      .poll(async () => (await clock(page).innerText()).startsWith('0:00.'), { timeout: 8000 })
      .toBe(false);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const pausedAt = await clock(page).innerText();

    await forgetGone(page);
    await expect.poll(async () => (await nodes(page)).length).toBe(2);
    // The old context is closed (its worklet thread, and what it held, gone); the new one holds Keep only.
    await expect.poll(async () => (await nodes(page))[0]?.state).toBe('closed');
    const [, renewed] = await nodes(page);
    expect(renewed?.state).not.toBe('closed');
    expect(sources(renewed)).toEqual([keep]);
    expect(sources(renewed)).not.toContain(gone);
    expect(await clock(page).innerText()).toBe(pausedAt);

    // It plays on from there: the worklet reports Keep's level, the master meter reads it.
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(async () => (await clock(page).innerText()) > pausedAt, { timeout: 8000 }).toBe(true);
    await expect
      .poll(async () => (await nodes(page))[1]?.peak[keep] ?? 0, { timeout: 8000 })
      .toBeGreaterThan(0.1);
    await expect
      .poll(() => page.getByTestId('meter-momentary').innerText(), { timeout: 8000 })
      .toMatch(/LUFS$/);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    // A seek on the timeline lands (6 s: its middle is 0:03).
    const ruler = page.getByTestId('timeline');
    const box = (await ruler.boundingBox()) as { width: number };
    await ruler.click({ position: { x: box.width / 2, y: 10 } });
    await expect.poll(() => clock(page).innerText()).toMatch(/^0:03\.0/);

    // Another project opened: that context goes too, the next one has no source at all.
    await page.getByRole('button', { name: 'Open…' }).click();
    await page.getByText('Opened', { exact: false }).first().waitFor();
    await expect.poll(async () => (await nodes(page)).length).toBe(3);
    await expect
      .poll(async () => (await nodes(page)).map((n) => n.state === 'closed'))
      .toEqual([true, true, false]);
    const after = await nodes(page);
    expect(sources(after[2])).toEqual([]);
    await page.close();
  }, 60_000);

  it('playing: keeps playing on its context, and renews it once stopped', async () => {
    const page = await openWatched();
    const { keep } = await twoTracks(page);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    await forgetGone(page);
    // Forgotten by the worklet at once; the context stays while it plays.
    await expect.poll(async () => (await nodes(page))[0]?.sent.some((m) => m.type === 'forget')).toBe(true);
    const playing = await nodes(page);
    expect(playing).toHaveLength(1);
    expect(playing[0]?.state).toBe('running');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(async () => (await nodes(page)).length).toBe(2);
    await expect.poll(async () => (await nodes(page))[0]?.state).toBe('closed');
    expect(sources((await nodes(page))[1])).toEqual([keep]);
    expect(await clock(page).innerText()).toMatch(/^0:00\.0/);
    await page.close();
  }, 60_000);

  it('at another rate than the context’s: the copy the old worklet made goes to the new one, not made again', async () => {
    const page = await openWatched();
    const other = rate === 48000 ? 44100 : 48000;
    // A minute: its conversion takes many steps, so the copy handed back is in time to replace it.
    const { keep } = await twoTracks(page, other, 60);
    await forgetGone(page);
    await expect.poll(async () => sources((await nodes(page))[1]), { timeout: 10_000 }).toEqual([keep]);
    // The old worklet handed back its copy of Keep (not Gone's: forgotten); the new one got that very copy.
    const handed = await page.evaluate((id) => {
      type Entry = {
        handed: { trackId: string; channels: Float32Array[] }[] | null;
        channels: Record<string, Float32Array[]>;
      };
      const [old, renewed] = (window as unknown as { __preview: Entry[] }).__preview;
      const back = old?.handed ?? [];
      const mine = back.find((s) => s.trackId === id)?.channels;
      return {
        tracks: back.map((s) => s.trackId),
        same: !!mine && mine.every((c, i) => c === renewed?.channels[id]?.[i]),
        shared: mine?.some((c) => c.buffer instanceof SharedArrayBuffer),
      };
    }, keep);
    expect(handed).toEqual({ tracks: [keep], same: true, shared: false });
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect
      .poll(async () => (await nodes(page))[1]?.peak[keep] ?? 0, { timeout: 8000 })
      .toBeGreaterThan(0.1);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.close();
  }, 60_000);
});
