import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-server-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const tsx = 'node_modules/.bin/tsx';

describe('npm run server (server/main.ts)', () => {
  it('refuses a bad configuration with one line per variable and exit code 2', () => {
    const run = spawnSync(tsx, ['server/main.ts'], {
      encoding: 'utf8',
      env: { ...process.env, PORT: 'http', PRO_MASTERS_PER_MONTH: 'lots', DATA_DIR: dataDir },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^ {2}PORT: /m);
    expect(run.stderr).toMatch(/^ {2}PRO_MASTERS_PER_MONTH: /m);
  });

  it('serves on SQLite in DATA_DIR, keeps its generated secret private, and stops on SIGTERM', async () => {
    const child = spawn(tsx, ['server/main.ts'], {
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', AUTH_SECRET: '' },
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
    });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', database: true });
    expect(statSync(path.join(dataDir, 'siberia.db')).isFile()).toBe(true);
    expect(statSync(path.join(dataDir, 'auth-secret')).mode & 0o777).toBe(0o600);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
