// `npm run bench:server`: requests per second and latency of GET /api/billing/me and
// POST /api/usage/grants on SQLite. The server runs here; the load comes from a separate process
// (autocannon), so the two do not share an event loop.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type AutocannonTypes from 'autocannon';
import pino from 'pino';
import { AuthResponse } from '../contracts/api';
import { loadConfig, startServer } from '../server/index';

const DURATION = Number(process.env.BENCH_SERVER_SECONDS ?? 10);
const CONNECTIONS = 50;

// ---------- child mode: the load generator ----------
if (process.argv[2] === '--load') {
  const [, , , url, token, route] = process.argv as [string, string, string, string, string, 'me' | 'grants'];
  const { default: autocannon } = await import('autocannon');
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      (route === 'me'
        ? { method: 'GET', path: '/api/billing/me' }
        : {
            method: 'POST',
            path: '/api/usage/grants',
            // Every request is a new use: a fresh idempotency key each time.
            setupRequest: (req: AutocannonTypes.Request) => ({
              ...req,
              body: JSON.stringify({
                kind: 'export',
                idempotencyKey: `bench-${process.pid}-${n++}`,
                deviceId: 'dev_bench_0001',
              }),
            }),
          }) as AutocannonTypes.Request,
    ],
  });
  process.stdout.write(
    JSON.stringify({
      rps: result.requests.average,
      total: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    }),
  );
  process.exit(0);
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-bench-server-'));
const server = await startServer(
  loadConfig({ PORT: '0', DATA_DIR: dataDir, PRO_EXPORTS_PER_MONTH: '1000000', LOG_LEVEL: 'silent' }),
  { logger: pino({ level: 'silent' }) },
);
try {
  const reg = await fetch(`${server.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', password: 'benchmark password' }),
  });
  const session = AuthResponse.parse(await reg.json());
  // The benchmark user is Pro, as an operator would set it, so grants are counted rather than refused.
  const { openDatabase } = await import('../server/db/connect');
  const db = openDatabase(server.config.database);
  await db.updateTable('users').set({ plan: 'studio' }).where('id', '=', session.user.id).execute();
  await db.destroy();

  // Asynchronous, so this process's event loop keeps serving while the child loads it.
  // The server's own CPU time per request: a figure that holds even when other work shares the
  // cores, unlike requests per second.
  const load = async (route: 'me' | 'grants') => {
    const cpuBefore = process.cpuUsage();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/server.ts', '--load', server.url, session.accessToken, route],
      {
        encoding: 'utf8',
      },
    );
    const cpu = process.cpuUsage(cpuBefore);
    const result = JSON.parse(stdout) as {
      rps: number;
      total: number;
      p50: number;
      p99: number;
      non2xx: number;
      errors: number;
    };
    return { ...result, cpuUsPerRequest: Math.round((cpu.user + cpu.system) / Math.max(1, result.total)) };
  };
  const me = await load('me');
  const grants = await load('grants');
  const summary = {
    database: 'sqlite',
    connections: CONNECTIONS,
    seconds: DURATION,
    meRps: Math.round(me.rps),
    meP50Ms: me.p50,
    meP99Ms: me.p99,
    meNon2xx: me.non2xx,
    meServerCpuUsPerRequest: me.cpuUsPerRequest,
    grantsRps: Math.round(grants.rps),
    grantsP50Ms: grants.p50,
    grantsP99Ms: grants.p99,
    grantsNon2xx: grants.non2xx,
    grantsServerCpuUsPerRequest: grants.cpuUsPerRequest,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/server.json',
    `${JSON.stringify({ summary, measuredAt: new Date().toISOString() }, null, 2)}\n`,
  );
  console.table(summary);
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
