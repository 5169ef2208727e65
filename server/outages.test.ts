import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse } from '../contracts/api';
import { ErrorBody } from '../contracts/errors';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { type ServerProcess, spawnServer } from '../tests/support/server-process';
import { startTcpProxy, type TcpProxy } from '../tests/support/tcp-proxy';
import { loadConfig } from './config';
import { type RunningServer, startServer } from './index';
import { newUserRow } from './services/users';

type Answer = { status: number; body: unknown; ms: number };
async function call(base: string, method: string, route: string, body?: unknown, token?: string) {
  const started = performance.now();
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    ms: performance.now() - started,
  } as Answer;
}
const codeOf = (a: Answer) => ErrorBody.parse(a.body).error.code;

async function eventually(what: () => Promise<boolean>, ms: number): Promise<number> {
  const started = performance.now();
  while (!(await what())) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - started;
}

const pgUrl = process.env.TEST_DATABASE_URL;

describe.each(databaseKinds.filter((k) => k === 'postgres'))(
  'a PostgreSQL outage (server process behind a TCP relay)',
  () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let proxy: TcpProxy;
    let server: ServerProcess;
    let token: string;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-outage-'));

    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const target = new URL(pgUrl as string);
      proxy = await startTcpProxy(`http://${target.hostname}:${target.port || 5432}`);
      const relayed = new URL(pgUrl as string);
      relayed.host = new URL(proxy.url).host;
      relayed.searchParams.set('options', `-c search_path=${schema}`);
      server = await spawnServer({
        DATABASE_URL: relayed.toString(),
        DATA_DIR: dataDir,
        AUTH_SECRET: 'o'.repeat(40),
      });
      const signedUp = await call(server.url, 'POST', '/api/auth/register', {
        email: 'outage@example.com',
        password: 'correct horse battery',
      });
      token = AuthResponse.parse(signedUp.body).accessToken;
    }, 180_000);
    afterAll(async () => {
      await server?.stop();
      await proxy?.stop();
      rmSync(dataDir, { recursive: true, force: true });
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    });

    it('answers 503 database_unavailable at once, stays alive and healthy, and is ready again by itself', async () => {
      expect((await call(server.url, 'GET', '/api/billing/me', undefined, token)).status).toBe(200);
      // Cut: the pooled connections drop (an unhandled 'error' used to end the process) and new ones are refused.
      proxy.setReachable(false);
      const me = await call(server.url, 'GET', '/api/billing/me', undefined, token);
      const login = await call(server.url, 'POST', '/api/auth/login', {
        email: 'outage@example.com',
        password: 'correct horse battery',
      });
      for (const answer of [me, login]) {
        expect(answer.status).toBe(503);
        expect(codeOf(answer)).toBe('database_unavailable');
        expect(answer.ms).toBeLessThan(3500);
      }
      expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
      expect(await call(server.url, 'GET', '/readyz')).toMatchObject({
        status: 503,
        body: { status: 'unavailable', database: false },
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(server.child.exitCode).toBeNull();
      console.info(
        `PostgreSQL cut: 503 in ${me.ms.toFixed(0)} ms (GET /api/billing/me), ${login.ms.toFixed(0)} ms (login)`,
      );

      proxy.setReachable(true);
      const back = await eventually(
        async () => (await call(server.url, 'GET', '/readyz')).status === 200,
        10_000,
      );
      expect((await call(server.url, 'GET', '/api/billing/me', undefined, token)).status).toBe(200);
      console.info(`PostgreSQL back: ready again ${back.toFixed(0)} ms after the relay reopened`);
      expect(server.output()).toMatch(/"msg":"database unavailable"/);
      expect(server.output()).not.toMatch(/Unhandled 'error' event/);
    });
  },
);

describe('a full or read-only SQLite database', () => {
  let t: TestDatabase;
  let server: RunningServer;
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });

  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    server = await startServer(loadConfig({ PORT: '0', AUTH_SECRET: 's'.repeat(40) }), {
      db: t.db,
      logger: pino({ level: 'info' }, sink),
    });
  });
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
  });

  it('logs the real cause, answers 503 and is not ready while full, and is ready again once there is room', async () => {
    const pages = (await sql<{ page_count: number }>`pragma page_count`.execute(t.db)).rows[0]?.page_count;
    // The file may not grow: what a full disk does to SQLite (SQLITE_FULL). Filler accounts take
    // the room left in the users table's pages.
    await sql.raw(`pragma max_page_count = ${pages}`).execute(t.db);
    for (let i = 0; i < 10_000; i++) {
      const filled = await t.db
        .insertInto('users')
        .values(newUserRow(`filler${i}@example.com`, 'x'.repeat(100), new Date().toISOString()))
        .execute()
        .then(
          () => false,
          () => true,
        );
      if (filled) break;
    }
    const registered = await call(server.url, 'POST', '/api/auth/register', {
      email: 'full@example.com',
      password: 'correct horse battery',
    });
    expect(registered.status).toBe(503);
    expect(codeOf(registered)).toBe('database_unavailable');
    // A transaction that fails the same way keeps its cause (SQLite already rolled it back).
    const inTransaction = await t.db
      .transaction()
      .execute((trx) =>
        trx
          .insertInto('leases')
          .values({ name: 'big', holder: 'test', expires_at: '', value: 'x'.repeat(20_000) })
          .execute(),
      )
      .catch((e: unknown) => e);
    expect(String(inTransaction)).toMatch(/database or disk is full/);
    expect(await call(server.url, 'GET', '/readyz')).toMatchObject({ status: 503 });
    expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
    const logged = lines.find((l) => l.msg === 'database unavailable');
    expect(String(logged?.cause)).toMatch(/SQLITE_FULL.*database or disk is full/);
    expect(JSON.stringify(lines)).not.toMatch(/cannot rollback/);

    await sql.raw(`pragma max_page_count = ${(pages ?? 0) + 10_000}`).execute(t.db);
    expect((await call(server.url, 'GET', '/readyz')).status).toBe(200);
    expect(lines.some((l) => l.msg === 'database available again')).toBe(true);
  });

  it('says the same of a read-only database', async () => {
    await sql`pragma query_only = 1`.execute(t.db);
    const registered = await call(server.url, 'POST', '/api/auth/register', {
      email: 'readonly@example.com',
      password: 'correct horse battery',
    });
    expect(registered.status).toBe(503);
    expect(await call(server.url, 'GET', '/readyz')).toMatchObject({ status: 503 });
    expect(lines.filter((l) => l.msg === 'database unavailable').map((l) => String(l.cause))).toContainEqual(
      expect.stringMatching(/SQLITE_READONLY/),
    );
    await sql`pragma query_only = 0`.execute(t.db);
    expect((await call(server.url, 'GET', '/readyz')).status).toBe(200);
  });
});

describe('the SQLite files', () => {
  it('are created owner-only, in an owner-only folder', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'siberia-perm-'));
    const dataDir = path.join(root, 'data');
    try {
      const server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
      await call(server.url, 'POST', '/api/auth/register', {
        email: 'perm@example.com',
        password: 'correct horse battery',
      });
      const modes = ['siberia.db', 'siberia.db-wal', 'siberia.db-shm'].map(
        (f) => statSync(path.join(dataDir, f)).mode & 0o777,
      );
      await server.close();
      expect(modes).toEqual([0o600, 0o600, 0o600]);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
