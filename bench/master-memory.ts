// The renderer's memory while it masters a long session and plays the A/B (issue 20: one copy of
// audio where it can). A desk imports BENCH_MASTER_STEMS stereo 24-bit stems of BENCH_MASTER_MINUTES
// at a new project's rate (48 kHz; headless Chromium's context runs at 44.1 kHz, so the A/B is
// resampled as it plays), waits for the renderer's memory to hold still, collects garbage and reads
// the renderer processes' PSS (bench/renderer-pss.ts). Then "Master", the report, "Play A/B" for
// BENCH_MASTER_PLAY_S seconds, Stop, while a thread reads the PSS every BENCH_MASTER_SAMPLE_MS; then
// what the report holds after a collection; then Discard and what is left after one, and again every
// 10 s for 40 s (a worklet's thread collects its garbage lazily: views a worklet was given stay held
// until it does, which is why the A/B's worklet runs in a context of its own, closed on stop); then
// the desk's preview plays 3 s and what is left is read once more.
// Reported against the baseline: the peak while mastering, the peak while the A/B plays, the memory
// the open report holds (collected), and what Discard leaves. BENCH_MASTER_PLAY_S=0: no A/B.
// Another build is measured in the same run, interleaved: BENCH_MASTER_COMPARE=<git revision>
// (built here from git archive) or BENCH_MASTER_COMPARE_DIR=<dir>; BENCH_MEMORY_RENDERER_DIR serves
// a build made beforehand instead of building this checkout's. Writes bench/results/master-memory.json.
// Run alone: `BENCH_MASTER_COMPARE=2f920af npx tsx bench/master-memory.ts` (some 10 minutes).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newProject } from '../contracts/project';
import { launchChromium } from '../tests/e2e/chromium';
import { type Desk, openDesk } from '../tests/renderer/harness';
import { proEntitlements, signedIn } from '../tests/renderer/scripted-bridge';
import { type Build, buildsToCompare, peakOf, samplePss, steadyPss } from './export-memory';
import {
  collectGarbage,
  pssOf,
  rendererPids,
  saveResult,
  serve,
  toneStems,
  withMachine,
} from './renderer-pss';

const MINUTES = Number(process.env.BENCH_MASTER_MINUTES ?? 10);
const STEMS = Number(process.env.BENCH_MASTER_STEMS ?? 1);
const RUNS = Number(process.env.BENCH_MASTER_RUNS ?? 2);
const PLAY_S = Number(process.env.BENCH_MASTER_PLAY_S ?? 5);
const SAMPLE_MS = Number(process.env.BENCH_MASTER_SAMPLE_MS ?? 50);
const SESSION_RATE = newProject().sampleRate;
const MiB = 1024 * 1024;
const round1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export type MasterRun = {
  build: string;
  run: number;
  minutes: number;
  stems: number;
  /** One float copy of the song (stereo, at the project's rate), MiB: the unit the copies are counted in. */
  songCopyMiB: number;
  baselineMiB: number;
  /** From "Master" to the report shown. */
  masterPeakAboveBaselineMiB: number;
  masterWallS: number;
  /** From "Play A/B" to Stop. */
  playPeakAboveBaselineMiB: number;
  /** The report open (stopped), collected: what a master waiting for Save or Discard holds. */
  reportHeldMiB: number;
  /** After Discard and a collection. */
  heldAfterDiscardMiB: number;
  /** The same, read again 10, 20, 30 and 40 s after Discard (each after a collection). */
  heldAfterDiscardLaterMiB: number[];
  /** Then after the desk's preview played 3 s and a collection. */
  heldAfterPreviewMiB: number;
  /** How the A/B played: a worklet on the shared views, or AudioBuffers (seen in the page). */
  abPlayer: 'worklet' | 'buffers' | 'unknown';
  contextRate: number;
  longestSampleGapMs: number;
};

/** Before the desk's scripts: which A/B player the page makes (a worklet node, or buffer sources). */
const WATCH = `(() => {
  window.__abKind = 'unknown';
  const Node = window.AudioWorkletNode;
  window.AudioWorkletNode = class extends Node {
    constructor(c, name, o) { super(c, name, o); if (name === 'siberia-ab') window.__abKind = 'worklet'; }
  };
  const make = BaseAudioContext.prototype.createBufferSource;
  BaseAudioContext.prototype.createBufferSource = function () { window.__abKind = 'buffers'; return make.call(this); };
})();`;

async function measure(build: Build, run: number, files: string[]): Promise<MasterRun> {
  const browser = await launchChromium(['--js-flags=--expose-gc']);
  const server = await serve(build.dir, true);
  const desk: Desk = { browser, server, close: async () => {} };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.addInitScript(WATCH);
    const opened = await openDesk(
      { ...desk, browser: { newPage: async () => page } as never },
      { account: signedIn(), entitlements: proEntitlements(5), keepRenders: false },
    );
    for (const [i, file] of files.entries()) {
      await opened.setInputFiles('[data-testid="import-input"]', file);
      await opened.locator('[data-testid="strip"]').nth(i).waitFor({ timeout: 300_000 });
    }
    const pids = rendererPids();
    await steadyPss(opened, pids);
    await collectGarbage(opened);
    const baseline = pssOf(pids);

    const mastering = await samplePss(pids, SAMPLE_MS);
    const started = performance.now();
    await opened.getByRole('button', { name: 'Master', exact: true }).click();
    const report = opened.getByRole('dialog', { name: 'Your master is ready' });
    await report.waitFor({ timeout: 900_000 });
    const masterWall = performance.now() - started;
    const masterSamples = await mastering.stop();

    const playing = await samplePss(pids, SAMPLE_MS);
    // BENCH_MASTER_PLAY_S=0: no A/B at all (what the master alone holds).
    if (PLAY_S > 0) {
      await report.getByRole('button', { name: 'Play A/B' }).click();
      await report.getByRole('button', { name: 'Stop' }).waitFor();
      await opened.waitForTimeout(PLAY_S * 1000);
      await report.getByRole('button', { name: 'A: original mix' }).click();
      await opened.waitForTimeout(1000);
      await report.getByRole('button', { name: 'Stop' }).click();
    }
    const playSamples = await playing.stop();
    const contextRate = await opened.evaluate(() => {
      const context = new AudioContext();
      void context.close();
      return context.sampleRate;
    });
    const abPlayer = (await opened.evaluate(() => (window as unknown as { __abKind: string }).__abKind)) as
      | 'worklet'
      | 'buffers'
      | 'unknown';

    await collectGarbage(opened);
    const reportHeld = pssOf(pids);
    await report.getByRole('button', { name: 'Discard' }).click();
    await report.waitFor({ state: 'detached' });
    await collectGarbage(opened);
    const after = pssOf(pids);
    // A worklet's thread collects lazily (the memory pressure signal does not reach it): what
    // Discard leaves is read again every 10 s for 40 s.
    const later: number[] = [];
    for (let i = 0; i < 4; i++) {
      await opened.waitForTimeout(10_000);
      await collectGarbage(opened);
      later.push(round1((pssOf(pids) - baseline) / MiB));
    }
    // The desk's preview played a moment: its worklet shares the A/B's thread and heap.
    await opened.getByRole('button', { name: 'Play', exact: true }).click();
    await opened.waitForTimeout(3000);
    await opened.getByRole('button', { name: 'Pause', exact: true }).click();
    await collectGarbage(opened);
    const afterPreview = pssOf(pids);
    await opened.close();
    const m = peakOf(masterSamples);
    const p = peakOf(playSamples);
    return {
      build: build.label,
      run,
      minutes: MINUTES,
      stems: STEMS,
      songCopyMiB: round1((MINUTES * 60 * SESSION_RATE * 2 * 4) / MiB),
      baselineMiB: round1(baseline / MiB),
      masterPeakAboveBaselineMiB: round1((m.peak.pss - baseline) / MiB),
      masterWallS: round1(masterWall / 1000),
      playPeakAboveBaselineMiB: round1((p.peak.pss - baseline) / MiB),
      reportHeldMiB: round1((reportHeld - baseline) / MiB),
      heldAfterDiscardMiB: round1((after - baseline) / MiB),
      heldAfterDiscardLaterMiB: later,
      heldAfterPreviewMiB: round1((afterPreview - baseline) / MiB),
      abPlayer,
      contextRate,
      longestSampleGapMs: Math.round(Math.max(m.longestGap, p.longestGap)),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-master-memory-'));
  try {
    const builds = buildsToCompare(
      process.env.BENCH_MASTER_COMPARE,
      process.env.BENCH_MASTER_COMPARE_DIR,
      work,
    );
    const stemsDir = path.join(work, 'stems');
    mkdirSync(stemsDir);
    const files = toneStems(stemsDir, {
      minutes: MINUTES,
      stems: STEMS,
      rate: SESSION_RATE,
      name: (i) => `${MINUTES} min stem ${i + 1}.wav`,
    });
    const runs: MasterRun[] = [];
    for (let run = 0; run < RUNS; run++)
      for (const build of run % 2 ? [...builds].reverse() : builds) {
        const r = await measure(build, run, files);
        console.error(
          `${r.build}: master peak +${r.masterPeakAboveBaselineMiB} MiB, A/B +${r.playPeakAboveBaselineMiB} MiB, ` +
            `report holds +${r.reportHeldMiB} MiB, after discard +${r.heldAfterDiscardMiB} MiB ` +
            `(then ${r.heldAfterDiscardLaterMiB.join(', ')} MiB every 10 s), ` +
            `then after the preview played +${r.heldAfterPreviewMiB} MiB ` +
            `(baseline ${r.baselineMiB} MiB, ${r.abPlayer}, ${r.masterWallS} s)`,
        );
        runs.push(r);
      }
    const summary: Record<string, Record<string, number | string>> = {};
    for (const build of builds) {
      const mine = runs.filter((r) => r.build === build.label);
      summary[build.label] = {
        masterPeakAboveBaselineMiB: median(mine.map((r) => r.masterPeakAboveBaselineMiB)),
        playPeakAboveBaselineMiB: median(mine.map((r) => r.playPeakAboveBaselineMiB)),
        reportHeldMiB: median(mine.map((r) => r.reportHeldMiB)),
        heldAfterDiscardMiB: median(mine.map((r) => r.heldAfterDiscardMiB)),
        heldAfterDiscard40sMiB: median(mine.map((r) => r.heldAfterDiscardLaterMiB.at(-1) ?? 0)),
        heldAfterPreviewMiB: median(mine.map((r) => r.heldAfterPreviewMiB)),
        songCopyMiB: mine[0]?.songCopyMiB ?? 0,
        abPlayer: mine[0]?.abPlayer ?? 'unknown',
      };
    }
    saveResult(
      'master-memory',
      withMachine({
        summary,
        builds,
        settings: {
          minutes: MINUTES,
          stems: STEMS,
          runs: RUNS,
          playSeconds: PLAY_S,
          sampleEveryMs: SAMPLE_MS,
        },
        runs,
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
