// One copy of each decoded source (issue 20): the desk is cross-origin isolated, a 16-bit WAV is held
// as Int16Array and a 24-bit one as Float32Array, both in SharedArrayBuffers that the desk, the engine
// Worker and the preview's worklet all read (the worklet gets the desk's very views); the export is
// still the engine's render bit for bit; sources are let go of (forget, clear) when no track can come
// back. Messages are watched by wrapping Worker and MessagePort in the page. Needs `npm run build`.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProject, newTrack, type ProjectFile } from '../../contracts/project';
import { decodeWav, encodeWav, renderMix } from '../../engine/index';
import { type Desk, differing, exportMix, importWav, openDesk, startDesk, toneWav } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

type Channel = { kind: string; shared: boolean; length: number };
type Logged = {
  transferred?: number;
  to: 'engine' | 'worklet' | 'desk';
  type: string;
  trackId?: string;
  trackIds?: string[];
  channels?: Channel[];
};

/** Before the desk's scripts: every message to and from the engine Worker, and to the worklet, logged. */
const watch = `(() => {
  const log = [];
  const views = { decoded: [], worklet: [], store: [] };
  window.__shared = { log, views };
  const describe = (chs) => chs.map((c) => ({ kind: c.constructor.name, shared: typeof SharedArrayBuffer !== 'undefined' && c.buffer instanceof SharedArrayBuffer, length: c.length }));
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      this.__engine = options && options.name === 'engine';
      if (!this.__engine) return;
      this.addEventListener('message', (e) => {
        const m = e.data;
        if (m.type !== 'decoded') return;
        views.decoded.push(...m.source.channels);
        log.push({ to: 'desk', type: 'decoded', channels: describe(m.source.channels) });
      });
    }
    postMessage(m, transfer) {
      if (this.__engine) {
        const entry = { to: 'engine', type: m.type, trackId: m.trackId, trackIds: m.trackIds };
        if (m.type === 'store') {
          entry.channels = describe(m.source.channels);
          entry.transferred = (transfer || []).length;
          views.store.push(...m.source.channels);
        }
        log.push(entry);
      }
      return super.postMessage(m, transfer);
    }
    terminate() {
      if (this.__engine) log.push({ to: 'engine', type: 'terminate' });
      return super.terminate();
    }
  };
  const post = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (m, transfer) {
    if (m && ['source', 'forget', 'clear'].includes(m.type)) {
      const entry = { to: 'worklet', type: m.type, trackId: m.trackId, trackIds: m.trackIds };
      if (m.type === 'source') { entry.channels = describe(m.channels); views.worklet.push(...m.channels); }
      log.push(entry);
    }
    return post.call(this, m, transfer);
  };
})();`;

const logged = (page: Page): Promise<Logged[]> =>
  page.evaluate(() => (window as unknown as { __shared: { log: Logged[] } }).__shared.log);

type Scripted = { state: { saved: { base64?: string }[] } };
const saved = (page: Page) =>
  page.evaluate(() => (window as unknown as { __scripted: Scripted }).__scripted.state.saved);

describe('one shared copy of each source', () => {
  it('holds 16-bit as Int16 and 24-bit as float in shared memory, exports bit for bit, lets go when no track can come back', async () => {
    const probe = await desk.browser.newPage();
    await probe.goto(desk.server.url);
    const rate = await probe.evaluate(async () => {
      const context = new AudioContext();
      const r = context.sampleRate;
      await context.close();
      return r;
    });
    await probe.close();
    // At the context's rate, so the worklet reads the sources themselves (no converted copy).
    const k16 = toneWav(1.5, 220, rate);
    const tone = decodeWav(new Uint8Array(toneWav(1.2, 330, rate)));
    const k24 = Buffer.from(encodeWav(tone, { format: 'wav24' }));
    const base = newProject('Shared', 48000);
    const project: ProjectFile = {
      ...base,
      tracks: [
        { ...newTrack('k16', 'Keys16', 'Keys16.wav'), gainDb: -3, pan: -0.4 },
        { ...newTrack('k24', 'Keys24', 'Keys24.wav'), gainDb: -1, pan: 0.5 },
      ],
    };
    const desk2 = await openDeskWatched({
      account: signedIn(),
      entitlements: proEntitlements(5),
      restore: { savedAt: new Date().toISOString(), project } as never,
      openProject: newProject('Other', 48000),
    });
    expect(await desk2.evaluate(() => crossOriginIsolated)).toBe(true);
    await desk2.setInputFiles('[data-testid="import-input"]', [
      { name: 'Keys16.wav', mimeType: 'audio/wav', buffer: k16 },
      { name: 'Keys24.wav', mimeType: 'audio/wav', buffer: k24 },
    ]);
    await desk2.getByRole('img', { name: 'Waveform of Keys16' }).waitFor();
    await desk2.getByRole('img', { name: 'Waveform of Keys24' }).waitFor();
    await expect.poll(async () => (await logged(desk2)).filter((m) => m.type === 'source').length).toBe(2);
    const log = await logged(desk2);
    // The desk's copy is the Worker's decode itself: 16-bit as Int16, 24-bit as float, both shared.
    const decoded = log.filter((m) => m.type === 'decoded').map((m) => m.channels);
    expect(decoded).toEqual([
      [
        { kind: 'Int16Array', shared: true, length: 1.5 * rate },
        { kind: 'Int16Array', shared: true, length: 1.5 * rate },
      ],
      [
        { kind: 'Float32Array', shared: true, length: 1.2 * rate },
        { kind: 'Float32Array', shared: true, length: 1.2 * rate },
      ],
    ]);
    // The worklet is sent those very views (the same objects the desk got: no copy made on the way).
    const same = await desk2.evaluate(() => {
      const { views } = (window as unknown as { __shared: { views: Record<string, unknown[]> } }).__shared;
      return (views.worklet ?? []).map((v) => (views.decoded ?? []).indexOf(v));
    });
    expect(same).toEqual([0, 1, 2, 3]);

    // The export, through the export dialog in 32-bit float: the engine's render of the same files.
    await desk2.getByRole('button', { name: 'Export mix' }).click();
    const dialog = desk2.getByTestId('export-dialog');
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.getByRole('radio', { name: 'WAV 32-bit float' }).check();
    await dialog.getByRole('radio', { name: 'As the session (48 kHz)', exact: true }).check();
    await dialog.locator('button[type="submit"]').click();
    await desk2.getByText(/^Saved to \/home\/musician\/Music\//).waitFor({ timeout: 20_000 });
    const exported = decodeWav(
      new Uint8Array(Buffer.from((await saved(desk2))[0]?.base64 as string, 'base64')),
    );
    const expected = decodeWav(
      encodeWav(
        renderMix({
          tracks: project.tracks,
          master: project.master,
          reverb: project.reverb,
          sampleRate: 48000,
          sources: [
            { trackId: 'k16', audio: decodeWav(new Uint8Array(k16)) },
            { trackId: 'k24', audio: decodeWav(new Uint8Array(k24)) },
          ],
        }),
        { format: 'wav32f' },
      ),
    );
    expect(exported.channels[0]).toHaveLength(expected.channels[0]?.length as number);
    expect(differing(exported.channels, expected.channels)).toBe(0);

    // The preview plays.
    await desk2.getByRole('button', { name: 'Play' }).click();
    await desk2.getByRole('button', { name: 'Pause' }).waitFor();
    await expect
      .poll(
        async () => (await desk2.getByRole('status', { name: 'Position' }).innerText()).startsWith('0:00.0'),
        {
          timeout: 8000,
        },
      )
      .toBe(false);
    await desk2.getByRole('button', { name: 'Pause' }).click();

    // Removed, a track keeps its sound while Undo can bring it back: nothing is forgotten.
    await desk2.getByRole('button', { name: 'EQ, compressor and more for Keys24' }).click();
    await desk2.getByRole('button', { name: 'Remove Keys24' }).click();
    await desk2.getByRole('toolbar').getByRole('button', { name: 'Undo', exact: true }).click();
    await desk2.getByRole('img', { name: 'Waveform of Keys24' }).waitFor();
    // An import undone, then another change (the redo goes): its source is let go of everywhere.
    await importWav(desk2, 'Extra.wav', toneWav(0.5, 440, rate));
    await desk2.getByRole('img', { name: 'Waveform of Extra' }).waitFor();
    const forgotBefore = (await logged(desk2)).filter((m) => m.type === 'forget');
    expect(forgotBefore).toEqual([]);
    await desk2.getByRole('toolbar').getByRole('button', { name: 'Undo', exact: true }).click();
    await desk2
      .getByRole('listitem', { name: 'Track Keys16' })
      .getByRole('button', { name: 'Mute', exact: true })
      .click();
    await expect.poll(async () => (await logged(desk2)).filter((m) => m.type === 'forget').length).toBe(1);
    const forgot = (await logged(desk2)).filter((m) => m.type === 'forget');
    const extra = (await logged(desk2)).find(
      (m) => m.type === 'decode' && !['k16', 'k24'].includes(m.trackId as string),
    );
    expect(forgot.map((m) => m.to)).toEqual(['worklet']);
    for (const m of forgot) expect(m.trackIds).toEqual([extra?.trackId]);
    // The engine Worker, idle, is stopped rather than told: an idle thread may keep what it let go of
    // until it collects, minutes later. The next one is given only the sources the desk still holds.
    expect((await logged(desk2)).filter((m) => m.to === 'engine' && m.type === 'terminate')).toHaveLength(1);

    // Another project opened: the worklet is told to clear, the engine Worker (and its sources) goes.
    await desk2.getByRole('button', { name: 'Open…' }).click();
    await desk2.getByText('Opened', { exact: false }).first().waitFor();
    const after = await logged(desk2);
    expect(after.some((m) => m.to === 'worklet' && m.type === 'clear')).toBe(true);
    expect(after.some((m) => m.to === 'engine' && m.type === 'terminate')).toBe(true);
    await desk2.close();
  }, 120_000);
});

describe('a restarted engine Worker', () => {
  it('after a cancelled render, gets the desk’s very shared views again, and renders from them', async () => {
    const page = await openDeskWatched({ account: signedIn(), entitlements: proEntitlements(5) });
    await importWav(page, 'Long.wav', toneWav(60));
    // Cancelled: the Worker is terminated mid-render; the next render starts a fresh one.
    await page.getByRole('button', { name: 'Master', exact: true }).click();
    await page.getByTestId('render-progress').getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Render cancelled: nothing was written and nothing was counted.').waitFor();
    expect((await logged(page)).some((m) => m.type === 'terminate')).toBe(true);
    await exportMix(page);
    await page.getByText(/^Saved to /).waitFor({ timeout: 60_000 });
    const stores = (await logged(page)).filter((m) => m.type === 'store');
    expect(stores).toHaveLength(1);
    expect(stores[0]?.transferred).toBe(0);
    expect(stores[0]?.channels?.map((c) => `${c.kind} ${c.shared}`)).toEqual([
      'Int16Array true',
      'Int16Array true',
    ]);
    const same = await page.evaluate(() => {
      const { views } = (window as unknown as { __shared: { views: Record<string, unknown[]> } }).__shared;
      return (views.store ?? []).map((v) => (views.decoded ?? []).indexOf(v));
    });
    expect(same).toEqual([0, 1]);
    await page.close();
  }, 120_000);
});

/** openDesk with the message watch installed first. */
function openDeskWatched(state: Parameters<typeof openDesk>[1]): Promise<Page> {
  return openDesk(desk, state, 1, watch);
}
