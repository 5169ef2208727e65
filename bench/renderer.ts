// `npm run bench:renderer`: the renderer's budgets. Builds the production bundle, measures its
// JavaScript gzipped (the page's own scripts, and with the Workers and the worklet), then the time
// from navigation to an interactive desk in Chromium (the page marks html[data-ready] once the bridge
// has answered), median of several cold page loads. Goals: ≤ 300 kB and ≤ 500 ms.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDesk, RENDERER_DIR, startDesk } from '../tests/renderer/harness';

const RUNS = Number(process.env.BENCH_RENDERER_RUNS ?? 9);
const GOAL_KB = 300;
const GOAL_MS = 500;

const build = spawnSync(
  'npx',
  ['--no-install', 'vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
  {
    stdio: 'inherit',
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const assets = path.join(RENDERER_DIR, 'assets');
const html = readFileSync(path.join(RENDERER_DIR, 'index.html'), 'utf8');
let pageJs = 0;
let allJs = 0;
for (const name of readdirSync(assets).filter((f) => f.endsWith('.js'))) {
  const size = gzipSync(readFileSync(path.join(assets, name)), { level: 9 }).length;
  allJs += size;
  // Scripts the page itself loads; Workers and the worklet load later, off the first paint.
  if (html.includes(`assets/${name}`)) pageJs += size;
}

const desk = await startDesk();
const times: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const page = await openDesk(desk);
    const ms = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const ready = performance.getEntriesByName('siberia:ready')[0];
      return (ready?.startTime ?? Number.NaN) - nav.startTime;
    });
    times.push(ms);
    await page.close();
  }
} finally {
  await desk.close();
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] as number;
const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const result = {
  summary: {
    pageJsGzipKb: kb(pageJs),
    allJsGzipKb: kb(allJs),
    interactiveMedianMs: Math.round(median),
    bundleWithinGoal: kb(pageJs) <= GOAL_KB,
    interactiveWithinGoal: median <= GOAL_MS,
  },
  goals: { jsGzipKb: GOAL_KB, interactiveMs: GOAL_MS },
  interactiveMs: times.map(Math.round),
  machine: { cpus: (await import('node:os')).cpus().length, chromium: '/usr/bin/chromium (headless)' },
  measuredAt: new Date().toISOString(),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/renderer.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result.summary, null, 2));
