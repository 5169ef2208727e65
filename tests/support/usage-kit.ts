import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AuthResponse } from '../../contracts/api';
import { loadConfig } from '../../server/config';
import type { Db } from '../../server/db/connect';
import { type RunningServer, startServer } from '../../server/index';

export type Reply = { status: number; body: unknown };
export type Caller = (method: string, route: string, body?: unknown, token?: string) => Promise<Reply>;

/** Plain JSON over real HTTP to one server. */
export function caller(baseUrl: () => string): Caller {
  return async (method, route, body, token) => {
    const res = await fetch(`${baseUrl()}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
}

export async function signUp(call: Caller, email: string, deviceId?: string): Promise<AuthResponse> {
  const res = await call('POST', '/api/auth/register', { email, password: 'long enough password', deviceId });
  return AuthResponse.parse(res.body);
}

/** Pro as a sync from Stripe would leave the row (the subscription itself is billing's tests'). */
export async function makePro(db: Db, userId: string): Promise<void> {
  await db
    .updateTable('users')
    .set({
      plan: 'pro',
      subscription_status: 'active',
      price_id: 'price_m',
      current_period_end: '2026-12-20T00:00:00.000Z',
    })
    .where('id', '=', userId)
    .execute();
}

/** A movable clock for the server under test. */
export function testClock(start: string) {
  let now = new Date(start);
  return {
    now: () => now,
    advance(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
    set(iso: string) {
      now = new Date(iso);
    },
  };
}

/**
 * A server on `db` with the given environment (quotas, TTL, devices), silent, on a random port. Two
 * servers given one DATA_DIR share their keys, as processes behind a load balancer would.
 */
export async function usageServer(
  db: Db,
  env: Record<string, string>,
  now?: () => Date,
): Promise<RunningServer & { dataDir: string }> {
  const ownDir = !env.DATA_DIR;
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'siberia-usage-'));
  const config = loadConfig({
    PORT: '0',
    AUTH_SECRET: 'u'.repeat(40),
    DATA_DIR: dataDir,
    STRIPE_PRICE_MONTHLY: 'price_m',
    STRIPE_PRICE_ANNUAL: 'price_y',
    ...env,
  });
  const server = await startServer(config, {
    db,
    logger: pino({ level: 'silent' }),
    ...(now ? { now } : {}),
  });
  return {
    ...server,
    dataDir,
    close: async () => {
      await server.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
