// Typechecks every area against its own tsconfig: contracts/ and engine/ without DOM or Node,
// renderer/ with the DOM, server/ and electron/ with Node (electron/ against electron.d.ts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = ['contracts', 'engine', 'server', 'electron', 'renderer', '.'];
let failed = 0;
for (const project of projects) {
  const config = project === '.' ? 'tsconfig.json' : `${project}/tsconfig.json`;
  if (!existsSync(config)) continue;
  const started = Date.now();
  const run = spawnSync('npx', ['--no-install', 'tsc', '-p', config], { stdio: 'inherit' });
  const ok = run.status === 0;
  if (!ok) failed++;
  console.log(`typecheck ${config}: ${ok ? 'ok' : 'FAILED'} (${Date.now() - started} ms)`);
}
process.exit(failed ? 1 : 0);
