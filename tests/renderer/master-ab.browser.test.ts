// The master's A/B from shared memory (issue 20): cross-origin isolated, the Worker posts the mix and
// the master as views of shared memory, and the A/B's worklet (ab.worklet.ts) plays them in place,
// resampled block by block to the context's rate (headless Chromium runs 44.1 kHz, the project
// 48 kHz): what it plays is, sample for sample, the engine resampler's frames of the master, and of
// the mix after a switch to A; no AudioBuffer of the song's length is made. Not isolated, the A/B
// still plays from AudioBuffers. The worklet's output is recorded by a test worklet beside it
// (served on the page's own origin: the CSP allows no other). Needs `npm run build` first.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resampledLength, resampleRange } from '../../engine/dsp/resample';
import { serveRendererFile } from '../../electron/main/renderer-files';
import { type Desk, importWav, openDesk, RENDERER_DIR, startDesk, toneWav } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

const SONG_SEC = 4;
const PROJECT_RATE = 48000;
const SONG_FRAMES = SONG_SEC * PROJECT_RATE;

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

/** Records whatever reaches its input, a block per message (lossless, unlike a ScriptProcessor). */
const RECORDER = `
class Recorder extends AudioWorkletProcessor {
  process(inputs) {
    const input = inputs[0];
    if (input && input.length > 0) this.port.postMessage(input.map((c) => c.slice()));
    return true;
  }
}
registerProcessor('test-recorder', Recorder);
`;

/**
 * Before the desk's scripts: AudioBuffers made (their lengths), the engine's 'mastered' views, what
 * the desk posts to the A/B worklet, and every block the A/B worklet plays, recorded beside it.
 */
const SPY = `(() => {
  const spy = { buffers: [], mastered: null, posted: [], blocks: [], rate: 0 };
  window.__ab = spy;
  const createBuffer = BaseAudioContext.prototype.createBuffer;
  BaseAudioContext.prototype.createBuffer = function (channels, length, rate) {
    spy.buffers.push(length);
    return createBuffer.call(this, channels, length, rate);
  };
  const NativeBuffer = window.AudioBuffer;
  window.AudioBuffer = class extends NativeBuffer {
    constructor(options) {
      super(options);
      spy.buffers.push(options.length);
    }
  };
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'mastered') spy.mastered = e.data;
      });
    }
  };
  const addModule = AudioWorklet.prototype.addModule;
  AudioWorklet.prototype.addModule = function (url, options) {
    if (!String(url).includes('ab.worklet')) return addModule.call(this, url, options);
    return addModule.call(this, new URL('/test/recorder.js', location.href).href).then(() => addModule.call(this, url, options));
  };
  const NativeNode = window.AudioWorkletNode;
  window.AudioWorkletNode = class extends NativeNode {
    constructor(context, name, options) {
      super(context, name, options);
      if (name !== 'siberia-ab') return;
      spy.rate = context.sampleRate;
      const post = this.port.postMessage.bind(this.port);
      this.port.postMessage = (m, t) => {
        const m2 = spy.mastered;
        spy.posted.push(m.type === 'play'
          ? { type: 'play', side: m.side, trimsDb: m.trimsDb, fromFrame: m.fromFrame,
              sameViews: !!m2 && m.sides.A.every((v, c) => v === m2.original[c]) && m.sides.B.every((v, c) => v === m2.mastered[c]),
              shared: [...m.sides.A, ...m.sides.B].every((v) => v.buffer instanceof SharedArrayBuffer) }
          : { type: m.type, side: m.side });
        return post(m, t);
      };
      const recorder = new NativeNode(context, 'test-recorder', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2] });
      recorder.port.onmessage = (e) => spy.blocks.push(e.data);
      this.connect(recorder);
      recorder.connect(context.destination);
    }
  };
})();`;

/** A page's float channels, to Node, bit for bit (base64 of their bytes). */
const floats = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};
const PAGE_HELPERS = `window.__b64 = (f) => {
  const bytes = new Uint8Array(f.slice().buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
};`;

type Spied = {
  buffers: number[];
  posted: { type: string; side?: string; sameViews?: boolean; shared?: boolean; trimsDb?: object }[];
  rate: number;
  isolated: boolean;
  original: string[];
  mastered: string[];
  sharedSides: boolean;
  recorded: string[];
};

async function spied(page: Page): Promise<Spied> {
  return page.evaluate(() => {
    const w = window as unknown as {
      __ab: {
        buffers: number[];
        posted: Spied['posted'];
        rate: number;
        mastered: { original: Float32Array[]; mastered: Float32Array[] } | null;
        blocks: Float32Array[][];
      };
      __b64(f: Float32Array): string;
    };
    const spy = w.__ab;
    const m = spy.mastered;
    const recorded = [0, 1].map((c) => {
      const total = spy.blocks.reduce((n, b) => n + (b[c]?.length ?? 0), 0);
      const out = new Float32Array(total);
      let at = 0;
      for (const b of spy.blocks) {
        const ch = b[c] ?? b[0];
        if (ch) out.set(ch, at);
        at += ch?.length ?? 0;
      }
      return w.__b64(out);
    });
    return {
      buffers: spy.buffers,
      posted: spy.posted,
      rate: spy.rate,
      isolated: crossOriginIsolated,
      original: (m?.original ?? []).map((c) => w.__b64(c)),
      mastered: (m?.mastered ?? []).map((c) => w.__b64(c)),
      sharedSides:
        !!m &&
        typeof SharedArrayBuffer !== 'undefined' &&
        [...m.original, ...m.mastered].every((c) => c.buffer instanceof SharedArrayBuffer),
      recorded,
    };
  });
}

/**
 * The desk with the spy, served here (as the harness serves it) with the test recorder on the desk's
 * own origin; not `isolated`, without the isolation headers (no SharedArrayBuffer anywhere).
 */
async function spiedDesk(isolated = true): Promise<{ page: Page; close(): Promise<void> }> {
  const http = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const r = await serveRendererFile(RENDERER_DIR, pathname === '/test/recorder.js' ? '/' : pathname);
    const headers = { ...r.headers };
    if (!isolated) {
      delete headers['cross-origin-embedder-policy'];
      delete headers['cross-origin-opener-policy'];
    }
    if (pathname === '/test/recorder.js') {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(RECORDER);
      return;
    }
    res.writeHead(r.status, headers).end(r.body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const server = {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
  const page = await desk.browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`page: ${m.text()}`);
  });
  await page.addInitScript(SPY);
  await page.addInitScript(PAGE_HELPERS);
  const opened = await openDesk(
    { ...desk, server, browser: { newPage: async () => page } as never },
    { account: signedIn(), entitlements: proEntitlements(5) },
  );
  return {
    page: opened,
    close: async () => {
      await opened.close();
      await server.close();
    },
  };
}

/** The first lag at which `recorded` holds `expected` exactly over its first `span` frames. */
function lagOf(recorded: Float32Array, expected: Float32Array, span: number): number {
  for (let lag = 0; lag + span <= recorded.length; lag++) {
    let same = true;
    for (let i = 0; i < span && same; i++) same = recorded[lag + i] === expected[i];
    if (same) return lag;
  }
  return -1;
}

const resampled = (channel: Float32Array, rate: number) => {
  if (rate === PROJECT_RATE) return channel;
  const out = new Float32Array(resampledLength(channel.length, PROJECT_RATE, rate));
  resampleRange(channel, PROJECT_RATE, rate, 0, out.length, out);
  return out;
};

describe('the master’s A/B', { timeout: 120_000 }, () => {
  it('plays the master, then the mix after a switch to A, from the shared memory: no AudioBuffer of the song', async () => {
    const { page, close } = await spiedDesk();
    await importWav(page, 'Song.wav', toneWav(SONG_SEC));
    await page.getByRole('button', { name: 'Master', exact: true }).click();
    const report = page.getByRole('dialog', { name: 'Your master is ready' });
    await report.waitFor({ timeout: 30_000 });
    // As they are (no trims): what plays is the sides' own samples.
    await report.getByRole('checkbox', { name: 'Match levels' }).uncheck();
    await report.getByRole('button', { name: 'B: mastered' }).click();
    await report.getByRole('button', { name: 'Play A/B' }).click();
    await report.getByRole('button', { name: 'Stop' }).waitFor();
    await page.waitForTimeout(800);
    await report.getByRole('button', { name: 'A: original mix' }).click();
    // The song's end stops the A/B by itself.
    await report.getByRole('button', { name: 'Play A/B' }).waitFor({ timeout: 15_000 });
    const s = await spied(page);

    expect(s.isolated).toBe(true);
    expect(s.sharedSides).toBe(true);
    // The worklet got the Worker's very views (the page made no copy), B heard, no trims.
    expect(s.posted[0]).toMatchObject({ type: 'play', side: 'B', trimsDb: { A: 0, B: 0 } });
    expect(s.posted[0]?.sameViews).toBe(true);
    expect(s.posted[0]?.shared).toBe(true);
    expect(s.posted.some((p) => p.type === 'side' && p.side === 'A')).toBe(true);
    expect(s.posted.at(-1)?.type).toBe('stop');
    // No AudioBuffer anywhere near the song's length (the meter may make small ones).
    expect(s.buffers.filter((n) => n >= SONG_FRAMES / 4)).toEqual([]);

    const rate = s.rate;
    console.log(`A/B context rate ${rate} Hz, project ${PROJECT_RATE} Hz`);
    const A = s.original.map((c) => resampled(floats(c), rate));
    const B = s.mastered.map((c) => resampled(floats(c), rate));
    const recorded = s.recorded.map(floats);
    const frames = B[0]?.length ?? 0;
    expect(frames).toBe(resampledLength(SONG_FRAMES, PROJECT_RATE, rate));
    // The master from its first frame, both channels, to the switch.
    const lag = lagOf(recorded[0] as Float32Array, B[0] as Float32Array, 4096);
    expect(lag).toBeGreaterThanOrEqual(0);
    let switched = 0;
    while (switched < frames && recorded[0]?.[lag + switched] === B[0]?.[switched]) switched++;
    console.log(`recorded ${recorded[0]?.length} frames: the song from ${lag}, switched to A at ${switched}`);
    expect(switched).toBeGreaterThan(0.3 * rate);
    expect(switched).toBeLessThan(frames - 0.3 * rate);
    for (const c of [0, 1]) {
      const got = (recorded[c] as Float32Array).subarray(lag, lag + frames);
      expect(got.subarray(0, switched)).toEqual((B[c] as Float32Array).subarray(0, switched));
      // After the 10 ms crossfade, the mix, exactly, to the song's end.
      const glide = Math.round(0.01 * rate);
      expect(got.subarray(switched + glide)).toEqual((A[c] as Float32Array).subarray(switched + glide));
    }
    // Then silence: the worklet stopped at the end.
    const after = (recorded[0] as Float32Array).subarray(lag + frames);
    expect(after.every((v) => v === 0)).toBe(true);
    await close();
  });

  it('not cross-origin isolated: the A/B still plays, from AudioBuffers made of the copies', async () => {
    const { page, close } = await spiedDesk(false);
    await importWav(page, 'Song.wav', toneWav(SONG_SEC));
    await page.getByRole('button', { name: 'Master', exact: true }).click();
    const report = page.getByRole('dialog', { name: 'Your master is ready' });
    await report.waitFor({ timeout: 30_000 });
    await report.getByRole('button', { name: 'Play A/B' }).click();
    await report.getByRole('button', { name: 'Stop' }).waitFor();
    await report.getByRole('button', { name: 'A: original mix' }).click();
    await report.getByRole('button', { name: 'Play A/B' }).waitFor({ timeout: 15_000 });
    const s = await spied(page);
    expect(s.isolated).toBe(false);
    expect(s.sharedSides).toBe(false);
    expect(s.posted).toEqual([]);
    expect(s.buffers.filter((n) => n === SONG_FRAMES)).toHaveLength(2);
    await report.getByRole('button', { name: 'Discard' }).click();
    await close();
  });
});
