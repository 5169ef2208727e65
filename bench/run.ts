// `npm run bench`: every benchmark (audio, server, renderer budgets, the preview worklet's CPU), then one table of their
// figures, read back from bench/results/*.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const suites = [
  { name: 'audio', script: 'bench/audio.ts' },
  { name: 'server', script: 'bench/server.ts' },
  { name: 'renderer', script: 'bench/renderer.ts' },
  { name: 'worklet', script: 'bench/worklet.ts' },
];

function scalarFigures(value: unknown, prefix = '', depth = 0): Array<[string, string]> {
  if (value === null || typeof value !== 'object') return [[prefix, String(value)]];
  if (Array.isArray(value) || depth > 2) return [];
  const out: Array<[string, string]> = [];
  for (const [key, inner] of Object.entries(value))
    out.push(...scalarFigures(inner, prefix ? `${prefix}.${key}` : key, depth + 1));
  return out;
}

const rows: Array<[string, string, string]> = [];
let failed = 0;
for (const suite of suites) {
  // A suite lands with its part of the product; until then it is named, not faked.
  if (!existsSync(suite.script)) {
    rows.push([suite.name, 'not yet built', suite.script]);
    continue;
  }
  console.log(`\n=== bench: ${suite.name} ===`);
  const run = spawnSync('npx', ['--no-install', 'tsx', suite.script], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    rows.push([suite.name, 'FAILED', `exit ${run.status}`]);
    continue;
  }
  const file = `bench/results/${suite.name}.json`;
  if (!existsSync(file)) continue;
  // Each suite writes its own shape; the table shows its scalar figures (a `summary` object first).
  const result = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const [key, value] of scalarFigures(result)) rows.push([suite.name, key, value]);
}

const width = [10, 44, 24];
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i] ?? 10)).join(' | ');
console.log(`\n${line(['suite', 'figure', 'value'])}\n${'-'.repeat(84)}`);
for (const row of rows) console.log(line(row));
process.exit(failed ? 1 : 0);
