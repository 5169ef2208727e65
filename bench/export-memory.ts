// The renderer's memory while it exports the mix, by the session's length: does the export's peak
// grow with the file it writes? For each length in BENCH_EXPORT_MINUTES, a desk imports STEMS
// stereo 24-bit stems of that length at a new project's rate (files on disk, handed by path as a
// file picker does), waits for the imports to settle (the renderer's memory holding still: the
// preview's resampled copies are made after the tracks show), garbage collects (page and Workers)
// and reads the renderer processes' PSS (Linux /proc: the page, the engine Worker, the worklet's
// thread, every ArrayBuffer). Then it exports the mix as 24-bit WAV through the export dialog while
// a thread reads the PSS every BENCH_EXPORT_SAMPLE_MS until "Saved to …" shows, and the kernel
// keeps each process's peak resident set (VmHWM) as a check on what the readings may miss.
// Reported: the peak above the baseline, the file's size (checked against 44 + frames × 6: the run
// fails otherwise), the export's wall time, what is still held after the export and a collection.
// The scripted main counts the render's bytes without keeping them (state.keepRenders = false):
// the app's main keeps nothing in the page.
// Another build is measured in the same run, interleaved with this one, to compare:
// BENCH_EXPORT_COMPARE=<git revision> builds that revision's renderer here (git archive, vite build),
// or BENCH_EXPORT_COMPARE_DIR=<dir> serves a build made beforehand. The scripted bridge is this
// tree's: a build that calls a bridge method it does not know fails its export (and this run).
// Run alone: `BENCH_EXPORT_COMPARE=8ef0da2 npx tsx bench/export-memory.ts` (heavy: some 15 minutes,
// and a 20-minute session holds about 2.5 GB in the renderer before the export). It builds this
// checkout's renderer first, as bench/renderer.ts does; BENCH_MEMORY_RENDERER_DIR serves another
// build instead, as in bench/renderer-memory.ts. BENCH_EXPORT_RUNS repeats (medians in the
// summary); BENCH_EXPORT_TIMELINE=1 keeps every reading. Writes bench/results/export-memory.json.
// Diagnosis, off by default: BENCH_EXPORT_IDLE_S=<s> first leaves the desk standing that long after
// the baseline's collection, no export, and reports its climb (`idle`: what the desk does by itself,
// which the export's readings also carry; it is collected again before the export's baseline).
// BENCH_EXPORT_MEMORY_INFRA=1 traces Chromium's memory-infra over CDP and takes a memory dump at the
// baseline, one after another during the export, at "Saved" and after the collection: `memoryInfra`
// gives each renderer allocator that moved (partition_alloc/partitions/array_buffer, blink_gc, cc,
// malloc, v8, shared_memory…, summed over the renderer processes) in MiB per dump, and the PSS's
// anonymous, file and shmem parts (smaps_rollup) at every reading. Light dumps by default
// (BENCH_EXPORT_MEMORY_INFRA_DETAIL=detailed adds Blink's objects by type, blink_objects/…, but
// takes seconds a dump); BENCH_EXPORT_MEMORY_INFRA_TRACE=<file> writes the raw trace. The dumps
// take CPU and memory of their own: read the peaks from runs without them.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Browser, Page } from 'playwright-core';
import { newProject } from '../contracts/project';
import { encodeWav } from '../engine/index';
import { launchChromium } from '../tests/e2e/chromium';
import { type Desk, openDesk, RENDERER_DIR } from '../tests/renderer/harness';
import { proEntitlements, signedIn } from '../tests/renderer/scripted-bridge';
import {
  collectGarbage,
  pssOf,
  rendererPids,
  resetPeakRss,
  rssOf,
  saveResult,
  serve,
  withMachine,
} from './renderer-pss';

const MINUTES = (process.env.BENCH_EXPORT_MINUTES ?? '5,20').split(',').map(Number);
const STEMS = Number(process.env.BENCH_EXPORT_STEMS ?? 2);
const RUNS = Number(process.env.BENCH_EXPORT_RUNS ?? 3);
const SAMPLE_MS = Number(process.env.BENCH_EXPORT_SAMPLE_MS ?? 50);
const TIMELINE = process.env.BENCH_EXPORT_TIMELINE === '1';
/** More V8 flags for the renderer (--trace-gc, say, read with DEBUG=pw:browser): diagnosis only. */
const JS_FLAGS = process.env.BENCH_EXPORT_JS_FLAGS ?? '';
/** Chromium's own allocator breakdown during the export (memoryInfraOf): diagnosis only. */
const MEMORY_INFRA = process.env.BENCH_EXPORT_MEMORY_INFRA === '1';
/** Its dumps' level of detail: 'light' (the default, quicker: a detailed dump can take seconds) or 'detailed'. */
const INFRA_DETAIL = process.env.BENCH_EXPORT_MEMORY_INFRA_DETAIL === 'detailed' ? 'detailed' : 'light';
/** Where to write its raw trace (JSON, for chrome://tracing or Perfetto), if anywhere. */
const INFRA_TRACE = process.env.BENCH_EXPORT_MEMORY_INFRA_TRACE;
/**
 * Seconds to read the desk standing still after the baseline, before the export (then collected and
 * read again): how fast its memory climbs with no export at all, to set the export's climb against.
 */
const IDLE_S = Number(process.env.BENCH_EXPORT_IDLE_S ?? 0);
const MiB = 1024 * 1024;
/**
 * The stems are at a new project's rate, which the mix is rendered and (rate 'session') exported at:
 * nothing is resampled, and the file's length follows from the stems'.
 */
const SESSION_RATE = newProject().sampleRate;
/** 24-bit stereo WAV: a 44-byte header (no tags), then 6 bytes a frame. */
const wavBytes = (frames: number) => 44 + frames * 6;

/** A renderer build to serve, and (built here) what it was built from. */
export type Build = { label: string; dir: string; builtFrom?: string };

export type ExportRun = {
  build: string;
  minutes: number;
  run: number;
  stems: number;
  sampleRate: number;
  frames: number;
  fileBytes: number;
  expectedBytes: number;
  /** How the page handed the file to main: in pieces (gate.writeRender) or whole (gate.saveRender). */
  handedAs: 'pieces' | 'whole';
  bridgeWrites: number;
  /** How long after the imports the renderer's memory held still (the preview's copies made). */
  settledAfterS: number;
  /** Renderer PSS after the imports, settled and collected: what the session holds before the export. */
  baselineMiB: number;
  peakAboveBaselineMiB: number;
  /**
   * The kernel's peak resident set (VmHWM, reset at the Export) above the resident set then: the
   * peak however brief, where the PSS readings come every SAMPLE_MS (RSS counts shared pages whole).
   */
  peakRssAboveBaselineMiB: number;
  /** When the peak was read, from the dialog's Export. */
  peakAtS: number;
  /**
   * How fast the readings climbed during the export, from a quarter of the way to "Saved" (MiB per
   * second of the export's wall time; slopeOf): near 0 when what it holds does not grow with length.
   */
  slopeMiBPerS: number | null;
  /** From the dialog's Export to "Saved to …" shown. */
  exportWallS: number;
  /** After the export and a collection, above the baseline: what the export left held. */
  heldAfterMiB: number;
  rendererProcesses: number;
  samples: number;
  longestSampleGapMs: number;
  /**
   * With BENCH_EXPORT_IDLE_S: the desk left standing for that long after a collection, no export:
   * its highest reading above the collected PSS then, and its climb (slopeOf over the whole span).
   */
  idle?: { seconds: number; peakAboveMiB: number; slopeMiBPerS: number | null };
  /** With BENCH_EXPORT_TIMELINE=1: every reading, [s from the Export, MiB above the baseline]. */
  timeline?: number[][];
  /**
   * With BENCH_EXPORT_MEMORY_INFRA=1: the PSS's anonymous, file and shmem parts (MiB) at the baseline,
   * the peak and the end; Chromium's memory dumps (when each was taken) and, for every allocator of
   * the renderer processes that moved by a quarter MiB or more, its MiB in each dump.
   */
  memoryInfra?: {
    pssKinds: Record<string, Record<string, number> | undefined>;
    /** Every reading: [s from the Export, then MiB above the baseline's of anon, file, shmem]. */
    kindsTimeline: number[][];
    dumps: string[];
    allocatorsMovedMiB: Record<string, number[]>;
  };
};

const round1 = (x: number) => Math.round(x * 10) / 10;
const slopeMiB = (bytesPerS: number | null) =>
  bytesPerS === null ? null : Math.round((bytesPerS / MiB) * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** The highest reading, when, and how far apart readings came (a peak shorter than that may be missed). */
export function peakOf<S extends { t: number; pss: number }>(samples: readonly S[]) {
  let peak = (samples[0] ?? { t: 0, pss: 0 }) as S;
  let longestGap = 0;
  for (let i = 1; i < samples.length; i++) {
    const s = samples[i] as S;
    if (s.pss > peak.pss) peak = s;
    longestGap = Math.max(longestGap, s.t - (samples[i - 1] as { t: number }).t);
  }
  return { peak, longestGap };
}

/**
 * How fast the readings climb while the export runs: the least-squares slope, in bytes per second,
 * of the readings from a quarter of the way through the export (`from`, `to`: its start and end,
 * ms) to its end, past the first piece's buffer and the encoder's set-up. Null with fewer than 3.
 */
export function slopeOf(
  samples: readonly { t: number; pss: number }[],
  from: number,
  to: number,
): number | null {
  const start = from + (to - from) / 4;
  const within = samples.filter((s) => s.t >= start && s.t <= to);
  if (within.length < 3) return null;
  const mt = within.reduce((n, s) => n + s.t, 0) / within.length;
  const mp = within.reduce((n, s) => n + s.pss, 0) / within.length;
  let num = 0;
  let den = 0;
  for (const s of within) {
    num += (s.t - mt) * (s.pss - mp);
    den += (s.t - mt) ** 2;
  }
  return den > 0 ? (num / den) * 1000 : null;
}

/**
 * Reads these processes' summed PSS every `everyMs` in a thread of its own, so that the traffic
 * with the browser on this one does not hold readings back. Times are absolute (ms since the epoch).
 */
const SAMPLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { pids, everyMs } = workerData;
const samples = [];
const field = (text, name) => Number(new RegExp('^' + name + ':\\\\s+(\\\\d+) kB', 'm').exec(text)?.[1] ?? 0) * 1024;
const take = () => {
  let pss = 0, anon = 0, file = 0, shmem = 0;
  for (const pid of pids) {
    try {
      const text = readFileSync('/proc/' + pid + '/smaps_rollup', 'utf8');
      pss += field(text, 'Pss');
      anon += field(text, 'Pss_Anon');
      file += field(text, 'Pss_File');
      shmem += field(text, 'Pss_Shmem');
    } catch {}
  }
  samples.push({ t: performance.timeOrigin + performance.now(), pss, anon, file, shmem });
};
take();
const timer = setInterval(take, everyMs);
parentPort.postMessage('started');
parentPort.on('message', () => {
  clearInterval(timer);
  take();
  parentPort.postMessage(samples);
});
`;
const now = () => performance.timeOrigin + performance.now();

/** A reading: the PSS, and its anonymous, file-backed and shared-memory (shmem) parts, bytes. */
type Reading = { t: number; pss: number; anon: number; file: number; shmem: number };

export async function samplePss(pids: readonly number[], everyMs: number) {
  const worker = new Worker(SAMPLER, { eval: true, workerData: { pids, everyMs } });
  await once(worker, 'message');
  return {
    async stop(): Promise<Reading[]> {
      worker.postMessage('stop');
      const [samples] = await once(worker, 'message');
      await worker.terminate();
      return samples;
    },
  };
}

/** Whether the last `span` readings lie within `tolerance` bytes of each other. */
export function isSteady(readings: readonly number[], span: number, tolerance: number): boolean {
  if (readings.length < span) return false;
  const last = readings.slice(-span);
  return Math.max(...last) - Math.min(...last) <= tolerance;
}

/** Waits until the renderer's PSS holds still (5 s within 4 MiB), at most 5 minutes; the seconds it took. */
export async function steadyPss(page: Page, pids: readonly number[]): Promise<number> {
  const readings: number[] = [];
  const started = now();
  while (!isSteady(readings, 6, 4 * MiB)) {
    if (now() - started > 300_000) throw new Error('the renderer’s memory did not settle after the imports');
    await page.waitForTimeout(1000);
    readings.push(pssOf(pids));
  }
  return round1((now() - started) / 1000);
}

/** The desk left standing `seconds` after a collection (no export): how far and how fast its PSS climbs. */
async function standStill(page: Page, pids: readonly number[], seconds: number) {
  const from = pssOf(pids);
  const sampler = await samplePss(pids, SAMPLE_MS);
  const started = now();
  await page.waitForTimeout(seconds * 1000);
  const samples = await sampler.stop();
  const { peak } = peakOf(samples);
  // Over every reading: slopeOf skips the first quarter of the span it is given (an export's set-up),
  // so it is given one that begins a third of the time earlier.
  const ended = now();
  const slope = slopeOf(samples, started - (ended - started) / 3, ended);
  return { seconds, peakAboveMiB: round1((peak.pss - from) / MiB), slopeMiBPerS: slopeMiB(slope) };
}

/** One memory-infra dump of the renderer processes: every allocator's size, summed over them. */
type InfraDump = { label: string; atS: number; sizes: Map<string, number> };

/**
 * Chromium's memory-infra over the browser's CDP session (BENCH_EXPORT_MEMORY_INFRA=1): a trace of
 * the disabled-by-default-memory-infra category alone, with dumps taken on request (`dump`), read
 * back at `stop` as each renderer process's allocators (partition_alloc/partitions/array_buffer,
 * malloc, blink_gc, v8, cc, discardable, …), summed over the renderer processes. For finding which
 * allocator grows while the export runs, where the PSS only says that something does.
 */
async function memoryInfra(browser: Browser) {
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Tracing.start', {
    traceConfig: {
      includedCategories: ['disabled-by-default-memory-infra'],
      excludedCategories: ['*'],
      // Every dump kept (a renderer's detailed dump is some 2 MB of JSON; the default buffer fills).
      recordMode: 'recordAsMuchAsPossible',
      traceBufferSizeInKb: 512 * 1024,
      // Dumps only when asked, none on a timer (the protocol's type says a map of strings; Chromium
      // reads the trace config's own JSON here).
      memoryDumpConfig: { triggers: [] } as unknown as Record<string, string>,
    },
    transferMode: 'ReturnAsStream',
  });
  const asked: { label: string; t: number }[] = [];
  const guidOf = (g: string) => BigInt(g.startsWith('0x') ? g : `0x${g}`);
  return {
    async dump(label: string): Promise<void> {
      const t = now();
      const r = await cdp.send('Tracing.requestMemoryDump', {
        deterministic: false,
        levelOfDetail: INFRA_DETAIL,
      });
      if (r.success) asked.push({ label, t });
    },
    /** The dumps asked for, in order, times from `from` (ms since the epoch). */
    async stop(pids: readonly number[], from: number): Promise<InfraDump[]> {
      const complete = new Promise<{ stream?: string }>((resolve) =>
        cdp.once('Tracing.tracingComplete', resolve),
      );
      await cdp.send('Tracing.end');
      const { stream } = await complete;
      if (!stream) throw new Error('no trace stream');
      let text = '';
      for (;;) {
        const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
        text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
        if (chunk.eof) break;
      }
      await cdp.send('IO.close', { handle: stream });
      await cdp.detach();
      if (INFRA_TRACE) writeFileSync(INFRA_TRACE, text);
      const parsed = JSON.parse(text) as unknown;
      type Ev = {
        ph: string;
        pid: number;
        id?: string;
        args?: { dumps?: { allocators?: Record<string, { attrs?: { size?: { value: string } } }> } };
      };
      const events = (Array.isArray(parsed) ? parsed : (parsed as { traceEvents: Ev[] }).traceEvents) as Ev[];
      // The trace numbers its dumps afresh (0, 1, …, in the order taken), not by the guids that
      // requestMemoryDump answers: the n-th dump in it is the n-th asked for.
      const ids: string[] = [];
      for (const e of events) if (e.ph === 'v' && e.id !== undefined && !ids.includes(e.id)) ids.push(e.id);
      ids.sort((a, b) => (guidOf(a) < guidOf(b) ? -1 : 1));
      if (ids.length !== asked.length)
        throw new Error(`${ids.length} memory dumps in the trace, ${asked.length} asked for`);
      const byId = new Map(
        ids.map((id, i) => {
          const a = asked[i] as (typeof asked)[number];
          return [id, { label: a.label, atS: round1((a.t - from) / 1000), sizes: new Map<string, number>() }];
        }),
      );
      for (const e of events) {
        if (e.ph !== 'v' || !pids.includes(e.pid) || e.id === undefined) continue;
        const dump = byId.get(e.id);
        for (const [name, a] of Object.entries(e.args?.dumps?.allocators ?? {})) {
          const size = a.attrs?.size?.value;
          if (dump && size !== undefined)
            dump.sizes.set(name, (dump.sizes.get(name) ?? 0) + Number.parseInt(size, 16));
        }
      }
      return [...byId.values()];
    },
  };
}

/**
 * The allocators whose size moved by at least `least` bytes from the first dump: name → MiB in each
 * dump, in order. Allocators nest (a parent's size holds its children's): all levels are kept.
 */
export function movedAllocators(dumps: readonly InfraDump[], least: number): Record<string, number[]> {
  const first = dumps[0]?.sizes ?? new Map<string, number>();
  const names = new Set(dumps.flatMap((d) => [...d.sizes.keys()]));
  const moved: Record<string, number[]> = {};
  for (const name of [...names].sort()) {
    const series = dumps.map((d) => d.sizes.get(name) ?? 0);
    if (Math.max(...series.map((x) => Math.abs(x - (first.get(name) ?? 0)))) >= least)
      moved[name] = series.map((x) => round1(x / MiB));
  }
  return moved;
}

/** The stems of one length, written once and reused by every run and build. */
const stemFiles = new Map<number, { files: string[]; frames: number }>();
function stemsOf(minutes: number, sampleRate: number, dir: string) {
  const known = stemFiles.get(minutes);
  if (known) return known;
  const frames = Math.round(minutes * 60 * sampleRate);
  const files = Array.from({ length: STEMS }, (_, i) => {
    // A tone each, low enough that their sum does not clip.
    const step = (2 * Math.PI * 110 * (i + 1)) / sampleRate;
    const channels = [0, 1].map((c) => {
      const x = new Float32Array(frames);
      for (let f = 0; f < frames; f++) x[f] = 0.2 * Math.sin(step * f * (1 + c / 2));
      return x;
    });
    const file = path.join(dir, `${minutes} min stem ${i + 1}.wav`);
    writeFileSync(file, encodeWav({ sampleRate, channels }, { format: 'wav24' }));
    return file;
  });
  const made = { files, frames };
  stemFiles.set(minutes, made);
  return made;
}

type Scripted = { calls: { name: string }[]; state: { saved: { bytes: number }[] } };
/** The scripted main's record: the bridge calls' names, and the files it saved. */
const scripted = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as { __scripted: Scripted }).__scripted;
    return { calls: s.calls.map((c) => c.name), saved: s.state.saved };
  });

async function measureExport(
  build: Build,
  minutes: number,
  run: number,
  stemsDir: string,
): Promise<ExportRun> {
  // A browser of its own per run: its renderer processes hold only this desk.
  const browser = await launchChromium([`--js-flags=--expose-gc ${JS_FLAGS}`.trim()]);
  const infra = MEMORY_INFRA ? await memoryInfra(browser) : undefined;
  const server = await serve(build.dir, true);
  const desk: Desk = { browser, server, close: async () => {} };
  try {
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: proEntitlements(5),
      keepRenders: false,
    });
    const { files, frames } = stemsOf(minutes, SESSION_RATE, stemsDir);
    for (const [i, file] of files.entries()) {
      await page.setInputFiles('[data-testid="import-input"]', file);
      await page.locator('[data-testid="strip"]').nth(i).waitFor({ timeout: 300_000 });
    }
    // Each import also hands the file to main to keep beside the project: settled once all are.
    const kept = async () => (await scripted(page)).calls.filter((n) => n === 'project.keepAudio').length;
    for (let waited = 0; (await kept()) < STEMS; waited += 200) {
      if (waited > 300_000) throw new Error('the imports were not kept');
      await page.waitForTimeout(200);
    }
    // The preview plays at the AudioContext's rate: a source at another rate (headless Chromium's
    // context runs at 44.1 kHz, the project at 48 kHz) gets a resampled copy, filled a chunk at a time
    // after the track shows (some 25 s for 20-minute stems). The baseline waits for it.
    const pids = rendererPids();
    const settled = await steadyPss(page, pids);
    await collectGarbage(page);
    const idle = IDLE_S > 0 ? await standStill(page, pids, IDLE_S) : undefined;
    if (idle) await collectGarbage(page);
    const baseline = pssOf(pids);
    const [baselineKinds] = await samplePss(pids, 1000).then((s) => s.stop());
    await infra?.dump('baseline');

    await page.getByRole('button', { name: 'Export mix' }).click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor({ timeout: 15_000 });
    const sampler = await samplePss(pids, SAMPLE_MS);
    resetPeakRss(pids);
    const rssBefore = rssOf(pids);
    const started = now();
    await dialog.locator('button[type="submit"]').click();
    // Dumps one after another while the export runs (each takes a while: they are not evenly spaced).
    let exporting = true;
    const dumping = (async () => {
      while (infra && exporting) await infra.dump('export');
    })();
    await page.getByText(/^Saved to .*mix\.wav$/).waitFor({ timeout: 900_000 });
    const wall = now() - started;
    exporting = false;
    await dumping;
    const rssAfter = rssOf(pids);
    const samples = await sampler.stop();
    const { peak, longestGap } = peakOf(samples);
    const peakRss = rssAfter.reduce((n, p, i) => n + p.peak - (rssBefore[i]?.rss ?? 0), 0);
    const still = rendererPids();
    if (still.length !== pids.length || still.some((p) => !pids.includes(p)))
      throw new Error(`the renderer processes changed during the export: ${pids} → ${still}`);

    const { saved, calls } = await scripted(page);
    const writes = calls.filter((n) => n === 'gate.writeRender').length;
    const wholes = calls.filter((n) => n === 'gate.saveRender').length;
    await infra?.dump('saved');
    await collectGarbage(page);
    const after = pssOf(pids);
    await infra?.dump('collected');
    const dumps = await infra?.stop(pids, started);
    const kinds = (r: Reading | undefined) =>
      r && {
        pss: round1(r.pss / MiB),
        anon: round1(r.anon / MiB),
        file: round1(r.file / MiB),
        shmem: round1(r.shmem / MiB),
      };
    const above = (r: Reading) =>
      [
        r.anon - (baselineKinds?.anon ?? 0),
        r.file - (baselineKinds?.file ?? 0),
        r.shmem - (baselineKinds?.shmem ?? 0),
      ].map((v) => round1(v / MiB));
    await page.close();
    if (saved.length !== 1) throw new Error(`${saved.length} files saved, not 1`);
    return {
      build: build.label,
      minutes,
      run,
      stems: STEMS,
      sampleRate: SESSION_RATE,
      frames,
      fileBytes: saved[0]?.bytes ?? 0,
      expectedBytes: wavBytes(frames),
      handedAs: wholes > 0 ? 'whole' : 'pieces',
      bridgeWrites: writes + wholes,
      baselineMiB: round1(baseline / MiB),
      peakAboveBaselineMiB: round1((peak.pss - baseline) / MiB),
      peakAtS: round1((peak.t - started) / 1000),
      slopeMiBPerS: slopeMiB(slopeOf(samples, started, started + wall)),
      exportWallS: round1(wall / 1000),
      peakRssAboveBaselineMiB: round1(peakRss / MiB),
      settledAfterS: settled,
      heldAfterMiB: round1((after - baseline) / MiB),
      ...(idle ? { idle } : {}),
      rendererProcesses: pids.length,
      samples: samples.length,
      ...(TIMELINE
        ? { timeline: samples.map((x) => [round1((x.t - started) / 1000), round1((x.pss - baseline) / MiB)]) }
        : {}),
      longestSampleGapMs: Math.round(longestGap),
      ...(dumps
        ? {
            memoryInfra: {
              pssKinds: { baseline: kinds(baselineKinds), peak: kinds(peak), end: kinds(samples.at(-1)) },
              kindsTimeline: samples.map((x) => [round1((x.t - started) / 1000), ...above(x)]),
              dumps: dumps.map((d) => `${d.label} ${d.atS} s`),
              allocatorsMovedMiB: movedAllocators(dumps, MiB / 4),
            },
          }
        : {}),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** This checkout's renderer, built as `npm run build` does (into dist/renderer), named by its commit. */
export function buildHere(): Build {
  const vite = spawnSync('npx', ['--no-install', 'vite', 'build', '--config', 'renderer/vite.config.ts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (vite.status !== 0) throw new Error('vite build failed');
  const sha = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  // Changes not committed to what the renderer is built from: the commit alone would not name this build.
  const dirty = spawnSync('git', ['status', '--porcelain', 'renderer', 'engine', 'contracts'], {
    encoding: 'utf8',
  }).stdout.trim();
  return { label: dirty ? `${sha}+changes` : sha, dir: RENDERER_DIR };
}

/** A revision's renderer, built here from its tree (with this checkout's node_modules). */
/**
 * The builds a memory benchmark measures: this checkout's (or BENCH_MEMORY_RENDERER_DIR's), then the
 * one to compare with, if any: a git revision built here, or a directory built beforehand.
 */
export function buildsToCompare(
  revision: string | undefined,
  dir: string | undefined,
  work: string,
): Build[] {
  const here = process.env.BENCH_MEMORY_RENDERER_DIR;
  const builds: Build[] = [here ? { label: path.basename(here), dir: here } : buildHere()];
  if (revision) builds.push(buildRevision(revision, work));
  else if (dir) builds.push({ label: path.basename(dir), dir });
  return builds;
}

export function buildRevision(rev: string, into: string): Build {
  const sha = spawnSync('git', ['rev-parse', '--short', rev], { encoding: 'utf8' });
  if (sha.status !== 0) throw new Error(`no revision ${rev}`);
  const tree = path.join(into, 'tree');
  mkdirSync(tree);
  const unpack = spawnSync('sh', ['-c', `git archive "$0" | tar -x -C "$1"`, rev, tree], {
    stdio: 'inherit',
  });
  if (unpack.status !== 0) throw new Error(`git archive ${rev} failed`);
  symlinkSync(realpathSync('node_modules'), path.join(tree, 'node_modules'));
  const dir = path.join(into, 'renderer');
  const vite = spawnSync(
    'npx',
    [
      '--no-install',
      'vite',
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--outDir',
      dir,
      '--emptyOutDir',
    ],
    { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (vite.status !== 0) throw new Error(`vite build of ${rev} failed`);
  return { label: sha.stdout.trim(), dir, builtFrom: `git archive ${rev}` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-export-memory-'));
  try {
    const builds = buildsToCompare(
      process.env.BENCH_EXPORT_COMPARE,
      process.env.BENCH_EXPORT_COMPARE_DIR,
      work,
    );
    const stemsDir = path.join(work, 'stems');
    mkdirSync(stemsDir);
    const runs: ExportRun[] = [];
    // Interleaved: each length, each build in turn (the other way round on every other run).
    for (let run = 0; run < RUNS; run++)
      for (const minutes of MINUTES)
        for (const build of run % 2 ? [...builds].reverse() : builds) {
          const r = await measureExport(build, minutes, run, stemsDir);
          console.error(
            `${r.build} ${minutes} min: peak +${r.peakAboveBaselineMiB} MiB over ${r.baselineMiB} MiB, ` +
              `climbing ${r.slopeMiBPerS} MiB/s, ` +
              `${r.fileBytes} bytes (${r.handedAs}, ${r.bridgeWrites} writes), ${r.exportWallS} s`,
          );
          runs.push(r);
        }
    const wrong = runs.filter((r) => r.fileBytes !== r.expectedBytes);
    const summary: Record<string, Record<string, number>> = {};
    for (const build of builds)
      for (const minutes of MINUTES) {
        const mine = runs.filter((r) => r.build === build.label && r.minutes === minutes);
        summary[`${build.label} ${minutes} min`] = {
          peakAboveBaselineMiB: median(mine.map((r) => r.peakAboveBaselineMiB)),
          slopeMiBPerS: median(mine.map((r) => r.slopeMiBPerS ?? Number.NaN)),
          heldAfterMiB: median(mine.map((r) => r.heldAfterMiB)),
          fileMiB: round1((mine[0]?.fileBytes ?? 0) / MiB),
          exportWallS: median(mine.map((r) => r.exportWallS)),
        };
      }
    const result = withMachine({
      summary,
      builds,
      settings: { stems: STEMS, minutes: MINUTES, format: 'wav24', runs: RUNS, sampleEveryMs: SAMPLE_MS },
      runs,
    });
    // A file of the wrong size means a broken export: its figures are not written.
    saveResult('export-memory', result, wrong.length === 0);
    if (wrong.length > 0) {
      console.error(`Files of the wrong size: ${wrong.map((r) => `${r.build} ${r.minutes} min`).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
