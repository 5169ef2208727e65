// `npm run bench:worklet`: the preview's CPU per 128-frame block (the AudioWorklet's quantum) for 8,
// 16 and 32 tracks, every one with EQ, compressor and reverb send on. Two measures:
//  - node: the engine's Mixer.process() in a tight loop under Node (the worklet's very code, V8 alike),
//    as CPU time (user + system) of the process;
//  - chromium: the built mix worklet rendering in an OfflineAudioContext, wall time per quantum
//    (Web Audio's own graph work included; wall time, so a loaded machine inflates it; needs the Vite
//    build, which this script runs).
// The budget of a quantum is 128 / 48000 s = 2667 µs; the real-time fraction is µs / 2667.
// The fastest of several runs counts (the machine is shared). Sizes are configurable:
//   BENCH_WORKLET_TRACKS   track counts, comma-separated (default 8,16,32)
//   BENCH_WORKLET_SECONDS  audio per run (default 10)
//   BENCH_WORKLET_RUNS     runs per count (default 3)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clipSpan } from '../engine/mix/clip-span';
import { clipBlock, Mixer, type StripBlock } from '../engine/mix/mixer';
import { launchChromium } from '../tests/e2e/chromium';
import { builtMixWorklet, securePage } from '../tests/renderer/secure-page';
import { bundlePageScript } from '../tests/support/page-script';
import { benchSession, RATE } from './worklet-session';

const COUNTS = (process.env.BENCH_WORKLET_TRACKS ?? '8,16,32').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_WORKLET_SECONDS ?? 10);
const RUNS = Math.max(1, Number(process.env.BENCH_WORKLET_RUNS ?? 3));
const QUANTUM = 128;
const BUDGET_US = (QUANTUM / RATE) * 1e6;
const here = path.dirname(fileURLToPath(import.meta.url));

type Figure = { usPerBlock: number; realTimeFraction: number };
const figure = (us: number): Figure => ({
  usPerBlock: Math.round(us * 10) / 10,
  realTimeFraction: Math.round((us / BUDGET_US) * 1000) / 1000,
});

/** Mixer.process over the whole session, a quantum at a time, as the worklet calls it. */
function nodeRun(count: number): number {
  const { project, sources } = benchSession(count, SECONDS);
  const mixer = new Mixer({ ...project, sampleRate: RATE }, QUANTUM, true);
  const held = mixer.trackIds.map((id) => {
    const channels = sources.find((s) => s.id === id)?.channels as Float32Array[];
    const track = project.tracks.find((t) => t.id === id);
    if (!track) throw new Error(`no track ${id}`);
    return { channels, span: clipSpan(track, channels[0]?.length ?? 0, RATE) };
  });
  const slots = held.map(
    (h): StripBlock => ({ channels: h.channels, start: 0, n: 0, at: 0, clipFrame: 0, fades: h.span.fades }),
  );
  const blocks: Array<StripBlock | null> = held.map(() => null);
  const frames = Math.round(SECONDS * RATE);
  let sink = 0;
  // CPU time of this (single-threaded) process, not wall time: on a shared machine the wait for a
  // core is not the mixer's cost.
  const started = process.cpuUsage();
  let quanta = 0;
  for (let at = 0; at + QUANTUM <= frames; at += QUANTUM) {
    for (let i = 0; i < held.length; i++) {
      const h = held[i] as (typeof held)[number];
      blocks[i] = clipBlock(slots[i] as StripBlock, h.channels, h.span, at, QUANTUM);
    }
    sink += mixer.process(blocks, QUANTUM)[0][7] as number;
    quanta++;
  }
  const used = process.cpuUsage(started);
  const us = (used.user + used.system) / quanta;
  if (!Number.isFinite(sink)) throw new Error('the mix went non-finite');
  return us;
}

const node: Record<string, Figure> = {};
for (const count of COUNTS) {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RUNS; r++) best = Math.min(best, nodeRun(count));
  node[count] = figure(best);
  console.log(
    `node     ${count} tracks: ${node[count]?.usPerBlock} µs/block (${node[count]?.realTimeFraction} of real time)`,
  );
}

const build = spawnSync(
  'npx',
  ['--no-install', 'vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
  { stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const chromium: Record<string, Figure> = {};
const browser = await launchChromium();
try {
  const page = await securePage(
    browser,
    'worklet-bench',
    await bundlePageScript(path.join(here, 'worklet.page.ts')),
  );
  const code = builtMixWorklet();
  for (const count of [0, ...COUNTS]) {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < RUNS; r++) {
      const { ms, quanta } = await page.evaluate(
        ([c, n, s]) =>
          (
            globalThis as unknown as {
              __renderTime(
                code: string,
                count: number,
                seconds: number,
              ): Promise<{ ms: number; quanta: number }>;
            }
          ).__renderTime(c as string, n as number, s as number),
        [code, count, SECONDS] as const,
      );
      best = Math.min(best, (ms * 1000) / quanta);
    }
    chromium[count] = figure(best);
    console.log(
      `chromium ${count} tracks: ${chromium[count]?.usPerBlock} µs/block (${chromium[count]?.realTimeFraction} of real time)`,
    );
  }
} finally {
  await browser.close();
}

const summary: Record<string, number> = {};
for (const count of COUNTS) {
  summary[`node${count}UsPerBlock`] = node[count]?.usPerBlock as number;
  summary[`chromium${count}UsPerBlock`] = chromium[count]?.usPerBlock as number;
}
const top = Math.max(...COUNTS);
summary[`realTimeFractionAt${top}`] = chromium[top]?.realTimeFraction as number;
const result = {
  summary,
  budgetUsPerBlock: Math.round(BUDGET_US),
  tracksHave: 'EQ (3 bands), compressor, reverb send (pre/post in turn), reverb bus on',
  node,
  chromium,
  chromiumEmptyGraph: chromium[0],
  seconds: SECONDS,
  runs: RUNS,
  machine: {
    cpus: (await import('node:os')).cpus().length,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  },
  measuredAt: new Date().toISOString(),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/worklet.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result.summary, null, 2));
