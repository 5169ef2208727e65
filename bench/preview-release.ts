// Whether the desk's preview lets go of a source once no track can bring it back (issue 20), as a
// musician sees it. A desk imports BENCH_PREVIEW_STEMS stereo 24-bit stems of BENCH_PREVIEW_MINUTES
// (files on disk; at the AudioContext's rate by default, so the preview's worklet reads the shared
// sources themselves; BENCH_PREVIEW_RATE=48000 gives it resampled copies of its own instead), waits
// for the memory to hold still, plays the preview a few seconds and stops. Then
//   (a) "forget": the last import undone, then a change (the redo goes): its source can come back no
//       more, so the desk, the engine Worker and the preview's worklet let go of it;
//   (b) "clear": another project opened (an empty one): every source goes.
// After each, the renderer processes' PSS (bench/renderer-pss.ts) is read every second for
// BENCH_PREVIEW_WATCH_S seconds WITHOUT forcing a collection (what the user gets), then after the
// collection the other benchmarks force (gc() in the page and its Workers, Chromium's critical memory
// pressure signal: neither reaches an AudioWorklet's thread), then after a gc() in every live
// AudioContext's worklet thread as well (a processor that calls gc() when constructed, loaded into the
// desk's contexts by this benchmark). Released = the PSS before the step minus after, against the
// expected size of the freed sources (float, stereo, at the rate they are held).
// Another build is measured in the same run, interleaved: BENCH_PREVIEW_COMPARE=<git revision> or
// BENCH_PREVIEW_COMPARE_DIR=<dir>. Writes bench/results/preview-release.json.
// Run alone: `BENCH_PREVIEW_COMPARE=4fa7a81 npx tsx bench/preview-release.ts` (some 15 minutes).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { newProject } from '../contracts/project';
import { serveRendererFile } from '../electron/main/renderer-files';
import { launchChromium } from '../tests/e2e/chromium';
import { type Desk, openDesk } from '../tests/renderer/harness';
import { proEntitlements, signedIn } from '../tests/renderer/scripted-bridge';
import { type Build, buildsToCompare, steadyPss } from './export-memory';
import { collectGarbage, pssOf, rendererPids, saveResult, toneStems, withMachine } from './renderer-pss';

const MINUTES = Number(process.env.BENCH_PREVIEW_MINUTES ?? 10);
const STEMS = Number(process.env.BENCH_PREVIEW_STEMS ?? 2);
const RUNS = Number(process.env.BENCH_PREVIEW_RUNS ?? 2);
const PLAY_S = Number(process.env.BENCH_PREVIEW_PLAY_S ?? 4);
const WATCH_S = Number(process.env.BENCH_PREVIEW_WATCH_S ?? 60);
const RATE = process.env.BENCH_PREVIEW_RATE ?? 'context';
const MiB = 1024 * 1024;
const round1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Served beside the build: a processor that collects its thread's garbage when constructed. */
const GC_PATH = '/bench-gc.worklet.js';
const GC_MODULE = `registerProcessor('bench-gc', class extends AudioWorkletProcessor {
  constructor() { super(); const can = typeof gc === 'function'; if (can) { gc(); gc(); } this.port.postMessage(can); }
  process() { return false; }
});`;

/** Before the desk's scripts: every AudioContext the page makes, kept to reach its worklet thread. */
const WATCH = `(() => {
  const contexts = [];
  window.__benchContexts = contexts;
  const Native = window.AudioContext;
  window.AudioContext = class extends Native {
    constructor(options) { super(options); contexts.push(this); }
  };
})();`;

/** gc() on the worklet thread of every live AudioContext of the page; how many it reached. */
const collectWorklets = (page: Page): Promise<{ live: number; reached: number }> =>
  page.evaluate(async (url) => {
    type Ctx = AudioContext & { __benchGc?: Promise<void> };
    const all = (window as unknown as { __benchContexts: Ctx[] }).__benchContexts;
    const live = all.filter((c) => c.state !== 'closed');
    let reached = 0;
    for (const c of live) {
      try {
        c.__benchGc ??= c.audioWorklet.addModule(url);
        await c.__benchGc;
        const node = new AudioWorkletNode(c, 'bench-gc', { numberOfInputs: 0, numberOfOutputs: 1 });
        const can = await new Promise<boolean>((resolve) => {
          node.port.onmessage = (e) => resolve(e.data === true);
          setTimeout(() => resolve(false), 5000);
        });
        node.port.close();
        if (can) reached++;
      } catch {
        // Closed meanwhile.
      }
    }
    return { live: live.length, reached };
  }, GC_PATH);

/** The build as main serves it (isolated), and the benchmark's collecting processor. */
async function serve(dir: string) {
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname === GC_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(GC_MODULE);
      return;
    }
    const r = await serveRendererFile(dir, pathname);
    res.writeHead(r.status, r.headers).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Step = {
  /** What freeing the step's sources should give back: each held as float, stereo (MiB). */
  expectedMiB: number;
  beforeMiB: number;
  /** Released (before − now) each second after the step, no collection forced, MiB. */
  releasedEachSecondMiB: number[];
  /** The first second at which 90 % of the expected was released (null: not within the watch). */
  released90AtS: number | null;
  releasedAtEndMiB: number;
  /**
   * The largest fall of the PSS from one second to the next, and the second it ended at: a freed
   * source shows as one step (the page's own garbage grows some 2 MiB/s meanwhile, so "released"
   * may not reach the expected figure even once the source is gone).
   */
  largestStepMiB: number;
  largestStepAtS: number;
  /** After gc() in the page and its Workers and the memory pressure signal. */
  releasedAfterForcedMiB: number;
  /** After a gc() on every live AudioContext's worklet thread too. */
  releasedAfterWorkletGcMiB: number;
  workletThreadsReached: number;
  liveContexts: number;
};

export type PreviewRun = {
  build: string;
  run: number;
  minutes: number;
  stems: number;
  fileRate: number;
  contextRate: number;
  baselineMiB: number;
  settledAfterS: number;
  forget: Step;
  clear: Step;
};

async function watchStep(page: Page, pids: number[], before: number, expected: number): Promise<Step> {
  const released: number[] = [];
  const started = performance.now();
  for (let s = 1; s <= WATCH_S; s++) {
    const wait = started + s * 1000 - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    released.push(round1((before - pssOf(pids)) / MiB));
  }
  await collectGarbage(page);
  const forced = pssOf(pids);
  const worklets = await collectWorklets(page);
  await page.waitForTimeout(1000);
  const workletGc = pssOf(pids);
  const at90 = released.findIndex((r) => r >= 0.9 * expected);
  let step = { mib: 0, at: 0 };
  released.forEach((r, i) => {
    const fall = r - (i === 0 ? 0 : (released[i - 1] as number));
    if (fall > step.mib) step = { mib: round1(fall), at: i + 1 };
  });
  return {
    expectedMiB: round1(expected),
    beforeMiB: round1(before / MiB),
    releasedEachSecondMiB: released,
    released90AtS: at90 < 0 ? null : at90 + 1,
    releasedAtEndMiB: released.at(-1) ?? 0,
    largestStepMiB: step.mib,
    largestStepAtS: step.at,
    releasedAfterForcedMiB: round1((before - forced) / MiB),
    releasedAfterWorkletGcMiB: round1((before - workletGc) / MiB),
    workletThreadsReached: worklets.reached,
    liveContexts: worklets.live,
  };
}

/** What the desk holds now, all threads collected (the worklets' too): the reading a step starts from. */
async function settledReading(page: Page, pids: number[]): Promise<number> {
  await steadyPss(page, pids);
  await collectGarbage(page);
  await collectWorklets(page);
  await page.waitForTimeout(1000);
  return pssOf(pids);
}

async function measure(build: Build, run: number, files: string[], fileRate: number, contextRate: number) {
  const browser = await launchChromium(['--js-flags=--expose-gc']);
  const server = await serve(build.dir);
  const desk: Desk = { browser, server, close: async () => {} };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.addInitScript(WATCH);
    const opened = await openDesk(
      { ...desk, browser: { newPage: async () => page } as never },
      // Pro: Open… is a Pro feature; the project opened is an empty one.
      { account: signedIn(), entitlements: proEntitlements(5), openProject: newProject('Next') },
    );
    for (const [i, file] of files.entries()) {
      await opened.setInputFiles('[data-testid="import-input"]', file);
      await opened.locator('[data-testid="strip"]').nth(i).waitFor({ timeout: 300_000 });
    }
    const pids = rendererPids();
    const settledAt = performance.now();
    await steadyPss(opened, pids);
    const settled = round1((performance.now() - settledAt) / 1000);
    // Played a moment, as a musician checks the import.
    await opened.getByRole('button', { name: 'Play', exact: true }).click();
    await opened.waitForTimeout(PLAY_S * 1000);
    await opened.getByRole('button', { name: 'Stop', exact: true }).click();
    const baseline = await settledReading(opened, pids);
    const copy = MINUTES * 60 * contextRate * 2 * 4;

    // (a) The last import undone, then a change: the redo goes, and with it the last stem for good.
    const toolbar = opened.getByRole('toolbar');
    await toolbar.getByRole('button', { name: 'Undo', exact: true }).click();
    await opened
      .locator('[data-testid="strip"]')
      .nth(STEMS - 1)
      .waitFor({ state: 'detached' });
    const mute = opened
      .getByRole('listitem', { name: 'Track Stem 1' })
      .getByRole('button', { name: 'Mute', exact: true });
    await mute.click();
    const forget = await watchStep(opened, pids, baseline, copy / MiB);

    // (b) Another project opened: every source left goes.
    const before = await settledReading(opened, pids);
    await opened.getByRole('button', { name: 'Open…' }).click();
    await opened.getByText('Opened', { exact: false }).first().waitFor();
    const clear = await watchStep(opened, pids, before, ((STEMS - 1) * copy) / MiB);
    await opened.close();
    const r: PreviewRun = {
      build: build.label,
      run,
      minutes: MINUTES,
      stems: STEMS,
      fileRate,
      contextRate,
      baselineMiB: round1(baseline / MiB),
      settledAfterS: settled,
      forget,
      clear,
    };
    return r;
  } finally {
    await browser.close();
    await server.close();
  }
}

async function contextRateOf(dir: string): Promise<number> {
  const browser = await launchChromium([]);
  const server = await serve(dir);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    return await page.evaluate(async () => {
      const context = new AudioContext();
      const rate = context.sampleRate;
      await context.close();
      return rate;
    });
  } finally {
    await browser.close();
    await server.close();
  }
}

const line = (s: Step) =>
  `released ${s.releasedAtEndMiB} MiB at ${WATCH_S} s (90 % at ${s.released90AtS ?? '—'} s, ` +
  `largest step ${s.largestStepMiB} MiB at ${s.largestStepAtS} s), ` +
  `${s.releasedAfterForcedMiB} forced, ${s.releasedAfterWorkletGcMiB} with the worklets' gc ` +
  `(${s.workletThreadsReached}/${s.liveContexts} contexts) of ${s.expectedMiB} expected`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-preview-release-'));
  try {
    const builds = buildsToCompare(
      process.env.BENCH_PREVIEW_COMPARE,
      process.env.BENCH_PREVIEW_COMPARE_DIR,
      work,
    );
    const contextRate = await contextRateOf((builds[0] as Build).dir);
    const fileRate = RATE === 'context' ? contextRate : Number(RATE);
    const stemsDir = path.join(work, 'stems');
    mkdirSync(stemsDir);
    const files = toneStems(stemsDir, {
      minutes: MINUTES,
      stems: STEMS,
      rate: fileRate,
      name: (i) => `Stem ${i + 1}.wav`,
    });
    const runs: PreviewRun[] = [];
    for (let run = 0; run < RUNS; run++)
      for (const build of run % 2 ? [...builds].reverse() : builds) {
        const r = await measure(build, run, files, fileRate, contextRate);
        console.error(`${r.build} run ${run}: forget: ${line(r.forget)}; clear: ${line(r.clear)}`);
        runs.push(r);
      }
    const summary: Record<string, Record<string, number | null>> = {};
    for (const build of builds) {
      const mine = runs.filter((r) => r.build === build.label);
      const of = (step: 'forget' | 'clear', key: keyof Step) =>
        median(mine.map((r) => (r[step][key] as number | null) ?? Number.POSITIVE_INFINITY));
      const fig: Record<string, number | null> = {};
      for (const step of ['forget', 'clear'] as const) {
        fig[`${step}ExpectedMiB`] = mine[0]?.[step].expectedMiB ?? 0;
        fig[`${step}Released10sMiB`] = median(mine.map((r) => r[step].releasedEachSecondMiB[9] ?? 0));
        fig[`${step}Released${WATCH_S}sMiB`] = of(step, 'releasedAtEndMiB');
        fig[`${step}LargestStepMiB`] = of(step, 'largestStepMiB');
        fig[`${step}LargestStepAtS`] = of(step, 'largestStepAtS');
        const at = of(step, 'released90AtS');
        fig[`${step}Released90AtS`] = Number.isFinite(at) ? at : null;
        fig[`${step}ReleasedAfterForcedMiB`] = of(step, 'releasedAfterForcedMiB');
        fig[`${step}ReleasedAfterWorkletGcMiB`] = of(step, 'releasedAfterWorkletGcMiB');
      }
      summary[build.label] = fig;
    }
    saveResult(
      'preview-release',
      withMachine({
        summary,
        builds,
        settings: {
          minutes: MINUTES,
          stems: STEMS,
          runs: RUNS,
          playSeconds: PLAY_S,
          watchSeconds: WATCH_S,
          fileRate,
          contextRate,
          format: 'WAV 24-bit stereo (held as float)',
        },
        runs,
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
