// `npm test`: builds what the browser suites load (the renderer), then runs every Vitest suite:
// unit, integration (SQLite; PostgreSQL too when TEST_DATABASE_URL is set), keychain and browser.
// `npm run test:e2e` runs the browser suites alone. Extra arguments go to Vitest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const e2eOnly = args.includes('--e2e');
const passThrough = args.filter((a) => a !== '--e2e');

function run(cmd: string, cmdArgs: string[]): number {
  const child = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: process.env });
  return child.status ?? 1;
}

if (existsSync('renderer/vite.config.ts') && !process.env.SKIP_RENDERER_BUILD) {
  console.log('Building the renderer for the browser suites…');
  if (
    run('npx', [
      '--no-install',
      'vite',
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ]) !== 0
  ) {
    console.log('\n0 passed, 1 failed');
    process.exit(1);
  }
}

if (!process.env.TEST_DATABASE_URL) {
  console.log('TEST_DATABASE_URL is not set: the server suites run on SQLite only.');
}
const filters = e2eOnly ? ['tests/e2e', '.browser.test.'] : [];
process.exit(run('npx', ['--no-install', 'vitest', 'run', ...filters, ...passThrough]));
