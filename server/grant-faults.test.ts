import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingMeResponse, UsageGrantResponse } from '../contracts/api';
import { GrantClaims } from '../contracts/tokens';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { startTcpProxy, type TcpProxy } from '../tests/support/tcp-proxy';
import { type Caller, caller, makePro, signUp, usageServer } from '../tests/support/usage-kit';
import { openDatabase } from './db/connect';

const AUTH_SECRET = 'f'.repeat(40);
const DEVICE = 'dev_faults_001';
const jtiOf = (grant: string) =>
  GrantClaims.parse(JSON.parse(Buffer.from(grant.split('.')[1] as string, 'base64url').toString())).jti;

/** `npm run server` in a process of its own, on the given database and data folder (shared keys). */
async function serverProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  // Node itself with tsx's loader, so that the process killed is the server (tsx's own CLI would
  // leave its child serving).
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', AUTH_SECRET, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  return { url, child };
}

function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Asks for a grant per key; a request the fault cut short answers `failed`. */
async function reserveAll(call: Caller, token: string, keys: string[]) {
  return Promise.all(
    keys.map(async (key) => {
      try {
        const res = await call(
          'POST',
          '/api/usage/grants',
          { kind: 'export', idempotencyKey: key, deviceId: DEVICE },
          token,
        );
        return {
          key,
          status: res.status,
          grant: res.status === 200 ? UsageGrantResponse.parse(res.body).grant : null,
        };
      } catch {
        return { key, status: 'failed' as const, grant: null };
      }
    }),
  );
}

describe.each(databaseKinds)('grants through faults on %s', (kind) => {
  let t: TestDatabase;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    t = await freshDatabase(kind);
    dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-faults-'));
  });
  afterAll(async () => {
    for (const child of children) await stopped(child, 'SIGKILL');
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every reservation exact when the server process is killed mid-grant and another takes over', async () => {
    const env = { DATABASE_URL: t.url, DATA_DIR: dataDir, PRO_EXPORTS_PER_MONTH: '10' };
    const first = await serverProcess(env);
    children.push(first.child);
    const call1 = caller(() => first.url);
    const s = await signUp(call1, `killed-${kind}@example.com`);
    await makePro(t.db, s.user.id);
    const keys = Array.from({ length: 30 }, (_, i) => `killed-key-${String(i).padStart(2, '0')}`);
    // Five requests always in flight, as a busy app would have; killed after the eighth answer.
    const before: Awaited<ReturnType<typeof reserveAll>> = [];
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const [r] = await reserveAll(call1, s.accessToken, [keys[next++] as string]);
        before.push(r as NonNullable<typeof r>);
        if (before.length === 8) first.child.kill('SIGKILL');
      }
    };
    const racing = Promise.all(Array.from({ length: 5 }, worker));
    await racing;
    expect(before.some((r) => r.status === 'failed')).toBe(true);

    const second = await serverProcess(env);
    children.push(second.child);
    const call2 = caller(() => second.url);
    // The app retries every key it had no answer for, and the ones it had, on the new process.
    const after = [];
    for (const key of keys) after.push(...(await reserveAll(call2, s.accessToken, [key])));
    const granted = after.filter((r) => r.status === 200);
    expect(granted).toHaveLength(10);
    expect(after.filter((r) => r.status === 402)).toHaveLength(20);
    // A grant answered before the crash is the same reservation after it.
    for (const answered of before.filter((r) => r.grant))
      expect(jtiOf(after.find((r) => r.key === answered.key)?.grant as string)).toBe(
        jtiOf(answered.grant as string),
      );
    const rows = await t.db
      .selectFrom('usage_events')
      .select(['idempotency_key', 'state'])
      .where('user_id', '=', s.user.id)
      .execute();
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(10);
    for (const g of granted)
      expect(
        (await call2('POST', '/api/usage/grants/commit', { grant: g.grant }, s.accessToken)).status,
      ).toBe(200);
    const me = BillingMeResponse.parse(
      (await call2('GET', '/api/billing/me', undefined, s.accessToken)).body,
    );
    expect(me).toMatchObject({ exportsUsed: 10, exportsReserved: 0, exportsLimit: 10 });
  });

  // Several server processes share a database on PostgreSQL only (SQLite is one process's).
  if (kind !== 'postgres') return;

  it('counts exactly with two server processes on one PostgreSQL', async () => {
    const env = { DATABASE_URL: t.url, DATA_DIR: dataDir, PRO_EXPORTS_PER_MONTH: '12' };
    const other = await serverProcess(env);
    children.push(other.child);
    // This process's own server, on its own connections to the same database and the same keys.
    const ownDb = t.open();
    const own = await usageServer(ownDb, { ...env, AUTH_SECRET, DATABASE_URL: '' });
    try {
      const urls = [other.url, own.url];
      const s = await signUp(
        caller(() => other.url),
        'two-processes@example.com',
      );
      await makePro(t.db, s.user.id);
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          reserveAll(
            caller(() => urls[i % 2] as string),
            s.accessToken,
            [`two-proc-${i}`],
          ),
        ),
      );
      const granted = replies.flat().filter((r) => r.status === 200);
      expect(granted).toHaveLength(12);
      expect(replies.flat().filter((r) => r.status === 402)).toHaveLength(38);
      // Each grant committed on both processes at once: twelve uses.
      await Promise.all(
        granted.flatMap((g) =>
          urls.map((u) =>
            caller(() => u)('POST', '/api/usage/grants/commit', { grant: g.grant }, s.accessToken),
          ),
        ),
      );
      const me = BillingMeResponse.parse(
        (await caller(() => own.url)('GET', '/api/billing/me', undefined, s.accessToken)).body,
      );
      expect(me).toMatchObject({ exportsUsed: 12, exportsReserved: 0 });
    } finally {
      await own.close();
      await ownDb.destroy();
      await stopped(other.child, 'SIGTERM');
    }
  }, 60_000);

  it('loses no reservation and counts none twice when PostgreSQL is cut mid-grant, and recovers without a restart', async () => {
    const proxy: TcpProxy = await startTcpProxy('http://127.0.0.1:5432');
    const proxied = t.url.replace('127.0.0.1:5432', new URL(proxy.url).host);
    const db = openDatabase({ kind: 'postgres', url: proxied });
    const server = await usageServer(db, { PRO_EXPORTS_PER_MONTH: '5' });
    try {
      const call = caller(() => server.url);
      const s = await signUp(call, 'cut@example.com');
      await makePro(t.db, s.user.id);
      const keys = Array.from({ length: 20 }, (_, i) => `cut-key-${String(i).padStart(2, '0')}`);
      const racing = reserveAll(call, s.accessToken, keys);
      await new Promise((r) => setTimeout(r, 10));
      proxy.setReachable(false);
      const during = await racing;
      // Whatever was cut failed as a server error, never as a grant or a wrong refusal.
      for (const r of during) expect([200, 402, 500, 503]).toContain(r.status);
      expect(during.filter((r) => r.status === 200).length).toBeLessThanOrEqual(5);
      const cut = await reserveAll(call, s.accessToken, ['cut-key-while-down']);
      expect(cut[0]?.status).toBeGreaterThanOrEqual(500);
      proxy.setReachable(true);
      const after = [];
      for (const key of keys) after.push(...(await reserveAll(call, s.accessToken, [key])));
      const granted = after.filter((r) => r.status === 200);
      expect(granted).toHaveLength(5);
      for (const answered of during.filter((r) => r.grant))
        expect(jtiOf(after.find((r) => r.key === answered.key)?.grant as string)).toBe(
          jtiOf(answered.grant as string),
        );
      // Commits cut half-way are sent again: each counts once.
      const commit = (g: string) =>
        call('POST', '/api/usage/grants/commit', { grant: g }, s.accessToken).catch(() => null);
      const firstTry = Promise.all(granted.map((g) => commit(g.grant as string)));
      await new Promise((r) => setTimeout(r, 5));
      proxy.setReachable(false);
      await firstTry;
      proxy.setReachable(true);
      for (const g of granted) expect((await commit(g.grant as string))?.status).toBe(200);
      const me = BillingMeResponse.parse(
        (await call('GET', '/api/billing/me', undefined, s.accessToken)).body,
      );
      expect(me).toMatchObject({ exportsUsed: 5, exportsReserved: 0 });
      const rows = await t.db
        .selectFrom('usage_events')
        .select('id')
        .where('user_id', '=', s.user.id)
        .execute();
      expect(rows).toHaveLength(5);
    } finally {
      await server.close();
      await db.destroy();
      await proxy.stop();
    }
  }, 60_000);
});
