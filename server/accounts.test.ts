import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse, BillingMeResponse, MeResponse } from '../contracts/api';
import { ErrorBody } from '../contracts/errors';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { loadConfig } from './config';
import { type RunningServer, startServer } from './index';

describe.each(databaseKinds)('accounts over HTTP on %s', (kind) => {
  let t: TestDatabase;
  let server: RunningServer;
  let clock = new Date('2026-11-24T10:00:00Z');
  const call = async (method: string, path: string, body?: unknown, token?: string, raw?: string) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    t = await freshDatabase(kind);
    const config = loadConfig({ PORT: '0', AUTH_SECRET: 'a'.repeat(40), LOG_LEVEL: 'silent' });
    server = await startServer(config, { db: t.db, logger: pino({ level: 'silent' }), now: () => clock });
  });
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
  });

  it('answers health and readiness', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call('GET', '/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ready', database: true },
    });
  });

  it('registers, signs in, reads /api/me, refuses a duplicate email', async () => {
    const reg = await call('POST', '/api/auth/register', {
      email: ' Ada@Example.com ',
      password: 'correct horse battery',
    });
    expect(reg.status).toBe(201);
    const session = AuthResponse.parse(reg.body);
    expect(session.user).toMatchObject({ email: 'ada@example.com', plan: 'free' });
    const me = await call('GET', '/api/me', undefined, session.accessToken);
    expect(MeResponse.parse(me.body).user.id).toBe(session.user.id);
    const again = await call('POST', '/api/auth/register', {
      email: 'ada@example.com',
      password: 'another password',
    });
    expect(again.status).toBe(409);
    expect(ErrorBody.parse(again.body).error.code).toBe('email_taken');
    const login = await call('POST', '/api/auth/login', {
      email: 'ADA@example.com',
      password: 'correct horse battery',
    });
    expect(login.status).toBe(200);
    expect(AuthResponse.parse(login.body).user.id).toBe(session.user.id);
  });

  it('says the same for a wrong password and an unknown email', async () => {
    const wrong = await call('POST', '/api/auth/login', {
      email: 'ada@example.com',
      password: 'wrong password!',
    });
    const unknown = await call('POST', '/api/auth/login', {
      email: 'nobody@example.com',
      password: 'wrong password!',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('throttles the sixth failed login for one email within 15 minutes, with Retry-After', async () => {
    const email = 'throttle@example.com';
    await call('POST', '/api/auth/register', { email, password: 'right password' });
    for (let i = 0; i < 5; i++)
      expect((await call('POST', '/api/auth/login', { email, password: 'nope nope' })).status).toBe(401);
    const blocked = await call('POST', '/api/auth/login', { email, password: 'right password' });
    expect(blocked.status).toBe(429);
    expect(ErrorBody.parse(blocked.body).error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    clock = new Date(clock.getTime() + 16 * 60_000);
    expect((await call('POST', '/api/auth/login', { email, password: 'right password' })).status).toBe(200);
  });

  it('throttles an address after 20 failed logins within 15 minutes, whatever the emails tried', async () => {
    // Earlier failures from this address leave the window first.
    clock = new Date(clock.getTime() + 16 * 60_000);
    const email = 'victim@example.com';
    await call('POST', '/api/auth/register', { email, password: 'right password' });
    for (let i = 0; i < 20; i++) {
      const guess = await call('POST', '/api/auth/login', {
        email: `guess${i}@example.com`,
        password: 'nope nope',
      });
      expect(guess.status).toBe(401);
    }
    // The 21st try from the address waits, even for another account with its right password.
    const blocked = await call('POST', '/api/auth/login', { email, password: 'right password' });
    expect(blocked.status).toBe(429);
    expect(ErrorBody.parse(blocked.body).error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    clock = new Date(clock.getTime() + 15 * 60_000 + 1000);
    expect((await call('POST', '/api/auth/login', { email, password: 'right password' })).status).toBe(200);
  });

  it('checks at most 5 passwords per email and 20 per address however many attempts arrive at once', async () => {
    clock = new Date(clock.getTime() + 16 * 60_000);
    const email = 'parallel@example.com';
    await call('POST', '/api/auth/register', { email, password: 'right password' });
    const started = performance.now();
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => call('POST', '/api/auth/login', { email, password: 'nope nope' })),
    );
    const ms = performance.now() - started;
    const statuses = burst.map((r) => r.status);
    // Every admitted attempt had its password checked (and refused): exactly the limit, the rest waited.
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(55);
    console.info(
      `${kind}: 60 parallel wrong logins for one email → 5 checked, 55 refused in ${ms.toFixed(0)} ms`,
    );

    clock = new Date(clock.getTime() + 16 * 60_000);
    const spread = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call('POST', '/api/auth/login', { email: `spray${i}@example.com`, password: 'nope nope' }),
      ),
    );
    expect(spread.filter((r) => r.status === 401)).toHaveLength(20);
    expect(spread.filter((r) => r.status === 429)).toHaveLength(40);
    clock = new Date(clock.getTime() + 16 * 60_000);
  });

  it('rotates refresh tokens and revokes the family when one is replayed', async () => {
    const first = AuthResponse.parse(
      (await call('POST', '/api/auth/register', { email: 'rot@example.com', password: 'rotate me please' }))
        .body,
    );
    const second = AuthResponse.parse(
      (await call('POST', '/api/auth/refresh', { refreshToken: first.refreshToken })).body,
    );
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const replay = await call('POST', '/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    expect(ErrorBody.parse(replay.body).error.code).toBe('refresh_token_reused');
    // The whole family is gone, including the token the thief or the owner got.
    const afterReplay = await call('POST', '/api/auth/refresh', { refreshToken: second.refreshToken });
    expect(ErrorBody.parse(afterReplay.body).error.code).toBe('invalid_refresh_token');
  });

  it('signs out: the refresh token stops working', async () => {
    const s = AuthResponse.parse(
      (await call('POST', '/api/auth/register', { email: 'out@example.com', password: 'sign me out now' }))
        .body,
    );
    expect(
      (await call('POST', '/api/auth/logout', { refreshToken: s.refreshToken }, s.accessToken)).status,
    ).toBe(200);
    expect((await call('POST', '/api/auth/refresh', { refreshToken: s.refreshToken })).status).toBe(401);
  });

  it('refuses bad input with the one error shape and changes nothing', async () => {
    const cases: Array<[string, string, unknown, string | undefined, number, string]> = [
      [
        'POST',
        '/api/auth/register',
        { email: 'not-an-email', password: 'long enough pw' },
        undefined,
        400,
        'validation_error',
      ],
      [
        'POST',
        '/api/auth/register',
        { email: 'short@example.com', password: 'short' },
        undefined,
        400,
        'validation_error',
      ],
      ['GET', '/api/me', undefined, 'forged.token.here', 401, 'unauthorized'],
      ['GET', '/api/me', undefined, undefined, 401, 'unauthorized'],
      ['GET', '/api/billing/me', undefined, 'forged.token.here', 401, 'unauthorized'],
      ['GET', '/api/billing/me', undefined, undefined, 401, 'unauthorized'],
      ['POST', '/api/billing/me', {}, undefined, 404, 'not_found'],
      ['GET', '/api/nowhere', undefined, undefined, 404, 'not_found'],
    ];
    for (const [method, path, body, token, status, code] of cases) {
      const res = await call(method, path, body, token);
      expect(res.status).toBe(status);
      expect(ErrorBody.parse(res.body).error.code).toBe(code);
    }
    const malformed = await call('POST', '/api/auth/login', undefined, undefined, '{"email": ');
    expect(malformed.status).toBe(400);
    expect(ErrorBody.parse(malformed.body).error.code).toBe('malformed_json');
    const huge = await call(
      'POST',
      '/api/auth/login',
      undefined,
      undefined,
      JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(200_000) }),
    );
    expect(huge.status).toBe(413);
    expect(
      await t.db
        .selectFrom('users')
        .select('email')
        .where('email', 'in', ['not-an-email', 'short@example.com'])
        .execute(),
    ).toEqual([]);
  });

  it('keeps CORS closed: a browser page elsewhere gets no permission to call', async () => {
    for (const path of ['/api/billing/me', '/api/auth/login']) {
      const preflight = await fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://elsewhere.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(preflight.status).toBe(404);
      const direct = await fetch(`${server.url}${path}`, {
        headers: { origin: 'https://elsewhere.example' },
      });
      for (const res of [preflight, direct])
        expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('expires access tokens after 15 minutes', async () => {
    const s = AuthResponse.parse(
      (await call('POST', '/api/auth/register', { email: 'exp@example.com', password: 'expiring token' }))
        .body,
    );
    clock = new Date(clock.getTime() + 16 * 60_000);
    expect((await call('GET', '/api/me', undefined, s.accessToken)).status).toBe(401);
    expect((await call('GET', '/api/billing/me', undefined, s.accessToken)).status).toBe(401);
  });

  it('gives every reply the same security headers and its own request id, from the read lane and from Express', async () => {
    const s = AuthResponse.parse(
      (await call('POST', '/api/auth/register', { email: 'headers@example.com', password: 'helmet headers' }))
        .body,
    );
    const fromLane = await call('GET', '/api/billing/me?ignored=1', undefined, s.accessToken);
    const fromExpress = await call('POST', '/api/auth/login', {
      email: 'headers@example.com',
      password: 'helmet headers',
    });
    expect(BillingMeResponse.parse(fromLane.body)).toMatchObject({ plan: 'free', exportsLimit: 0 });
    const security = (h: Headers) =>
      Object.fromEntries(
        [...h].filter(
          ([name]) =>
            /^(content-security-policy|strict-transport-security|x-|cross-origin-|referrer-policy|origin-agent-cluster)/.test(
              name,
            ) && name !== 'x-request-id',
        ),
      );
    expect(Object.keys(security(fromLane.headers)).length).toBeGreaterThanOrEqual(10);
    expect(security(fromLane.headers)).toEqual(security(fromExpress.headers));
    expect(fromLane.headers.get('x-powered-by')).toBeNull();
    expect(fromExpress.headers.get('x-powered-by')).toBeNull();
    const ids = [fromLane.headers.get('x-request-id'), fromExpress.headers.get('x-request-id')];
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe.each(databaseKinds)('readiness on %s', (kind) => {
  it('answers 503 when the database does not answer, while the process stays up', async () => {
    const t = await freshDatabase(kind);
    const config = loadConfig({ PORT: '0', AUTH_SECRET: 'a'.repeat(40), LOG_LEVEL: 'silent' });
    const server = await startServer(config, { db: t.db, logger: pino({ level: 'silent' }) });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await t.dispose();
      const down = await fetch(`${server.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable', database: false });
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    } finally {
      await server.close();
    }
  });
});

describe('the server log', () => {
  it('has one line per request with its id, and never a password, a token or the auth secret', async () => {
    const t = await freshDatabase('sqlite');
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const secret = 's'.repeat(40);
    const server = await startServer(loadConfig({ PORT: '0', AUTH_SECRET: secret }), { db: t.db, logger });
    try {
      const post = (path: string, body: unknown, token?: string) =>
        fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
      const password = 'a very secret passphrase';
      const reg = AuthResponse.parse(
        await (await post('/api/auth/register', { email: 'log@example.com', password })).json(),
      );
      await post('/api/auth/login', { email: 'log@example.com', password: 'the wrong passphrase' });
      const refreshed = AuthResponse.parse(
        await (await post('/api/auth/refresh', { refreshToken: reg.refreshToken })).json(),
      );
      const me = await fetch(`${server.url}/api/billing/me?session_id=cs_private`, {
        headers: { authorization: `Bearer ${refreshed.accessToken}` },
      });
      await post(
        '/api/usage/grants',
        { kind: 'export', idempotencyKey: 'log-test-0001', deviceId: 'dev_log_0001' },
        refreshed.accessToken,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const text = lines.join('');
      for (const secretText of [
        password,
        'the wrong passphrase',
        reg.accessToken,
        reg.refreshToken,
        refreshed.accessToken,
        refreshed.refreshToken,
        secret,
        'cs_private',
      ])
        expect(text).not.toContain(secretText);
      const requests = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'request');
      expect(requests.map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual([
        'POST /api/auth/register 201',
        'POST /api/auth/login 401',
        'POST /api/auth/refresh 200',
        'GET /api/billing/me 200',
        'POST /api/usage/grants 402',
      ]);
      expect(requests[3]?.reqId).toBe(me.headers.get('x-request-id'));
    } finally {
      await server.close();
      await t.dispose();
    }
  });
});
