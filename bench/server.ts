// `npm run bench:server`: requests per second and latency of GET /api/billing/me and
// POST /api/usage/grants on SQLite. The server runs here; the load comes from a separate process
// (autocannon), so the two do not share an event loop. The load comes from USERS Pro musicians in
// turn, as it would: one account exporting thousands of times a month cannot happen under the
// quota, and would measure counting its rows rather than serving the route.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type AutocannonTypes from 'autocannon';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import { AuthResponse, BillingMeResponse } from '../contracts/api';
import { loadConfig, startServer } from '../server/index';

const DURATION = Number(process.env.BENCH_SERVER_SECONDS ?? 10);
const CONNECTIONS = 50;
const USERS = 50;

// ---------- child mode: the load generator ----------
if (process.argv[2] === '--load') {
  const [, , , url, tokensFile, route] = process.argv as [
    string,
    string,
    string,
    string,
    string,
    'me' | 'grants',
  ];
  const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as string[];
  const { default: autocannon } = await import('autocannon');
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: route === 'me' ? 'GET' : 'POST',
        path: route === 'me' ? '/api/billing/me' : '/api/usage/grants',
        // Each request from the next musician; each grant a new use with a fresh idempotency key.
        setupRequest: (req: AutocannonTypes.Request) => {
          const i = n++;
          return {
            ...req,
            headers: {
              authorization: `Bearer ${tokens[i % tokens.length]}`,
              'content-type': 'application/json',
            },
            ...(route === 'grants'
              ? {
                  body: JSON.stringify({
                    kind: 'export',
                    idempotencyKey: `bench-${process.pid}-${i}`,
                    deviceId: `dev_bench_${String(i % tokens.length).padStart(4, '0')}`,
                  }),
                }
              : {}),
          };
        },
      } as AutocannonTypes.Request,
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
// Logging as an operator runs it (info: one JSON line per request, buffered as pino does for
// stdout), into a file so that the terminal's speed does not count.
const logFile = path.join(dataDir, 'server.log');
// A quota the run cannot exhaust however fast the machine, so every grant is counted, not refused.
const server = await startServer(
  loadConfig({ PORT: '0', DATA_DIR: dataDir, PRO_EXPORTS_PER_MONTH: '100000', LOG_LEVEL: 'info' }),
  { logger: pino({ level: 'info' }, pino.destination({ dest: logFile, sync: false })) },
);
try {
  const sessions = [];
  for (let i = 0; i < USERS; i++) {
    const reg = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bench${i}@example.com`, password: 'benchmark password' }),
    });
    sessions.push(AuthResponse.parse(await reg.json()));
  }
  // The musicians are Pro (set as an operator would), so grants are counted rather than refused.
  const { openDatabase } = await import('../server/db/connect');
  const db = openDatabase(server.config.database);
  await db.updateTable('users').set({ plan: 'studio' }).execute();
  await db.destroy();
  // What is measured is a real answer: one is read against its contract first.
  const sample = await fetch(`${server.url}/api/billing/me`, {
    headers: { authorization: `Bearer ${sessions[0]?.accessToken}` },
  });
  const sampleBody = BillingMeResponse.parse(await sample.json());
  if (sampleBody.plan !== 'studio') throw new Error('the bench users are not Pro');
  const tokensFile = path.join(dataDir, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify(sessions.map((s) => s.accessToken)));

  // Asynchronous, so this process's event loop keeps serving while the child loads it.
  // The server's own CPU time per request: a figure that holds even when other work shares the
  // cores, unlike requests per second.
  const load = async (route: 'me' | 'grants', url = server.url) => {
    const cpuBefore = process.cpuUsage();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/server.ts', '--load', url, tokensFile, route],
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
  // The peer, under the same load in the same run: a bare Express 5 app with helmet answering
  // the same body as a constant, no token checked and no database read. The ratio says what the
  // server does per request against what the usual Node stack costs for doing nothing, whatever
  // the machine.
  const peerApp = express();
  peerApp.use(helmet());
  peerApp.get('/api/billing/me', (_req, res) => {
    res.json(sampleBody);
  });
  const peer = createServer(peerApp).listen(0, '127.0.0.1');
  await new Promise((resolve) => peer.once('listening', resolve));
  const expressConstant = await load('me', `http://127.0.0.1:${(peer.address() as AddressInfo).port}`);
  await new Promise((resolve) => peer.close(resolve));
  const summary = {
    database: 'sqlite',
    connections: CONNECTIONS,
    users: USERS,
    seconds: DURATION,
    meRps: Math.round(me.rps),
    meP50Ms: me.p50,
    meP99Ms: me.p99,
    meNon2xx: me.non2xx,
    meServerCpuUsPerRequest: me.cpuUsPerRequest,
    peerExpressConstantRps: Math.round(expressConstant.rps),
    peerExpressConstantP99Ms: expressConstant.p99,
    meRpsRatioToPeer: Math.round((me.rps / expressConstant.rps) * 100) / 100,
    grantsRps: Math.round(grants.rps),
    grantsP50Ms: grants.p50,
    grantsP99Ms: grants.p99,
    grantsNon2xx: grants.non2xx,
    grantsServerCpuUsPerRequest: grants.cpuUsPerRequest,
    // Each request logged once: the figures above include writing the request log.
    requestLogLines: 0,
  };
  await new Promise((resolve) => setTimeout(resolve, 200));
  summary.requestLogLines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"msg":"request"')).length;
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
