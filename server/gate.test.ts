import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse, BillingMeResponse, OfflineUsageResponse, UsageGrantResponse } from '../contracts/api';
import { ErrorBody } from '../contracts/errors';
import {
  EntitlementClaims,
  ENTITLEMENT_TYP,
  GRANT_TYP,
  GrantClaims,
  Jwks,
  TOKEN_AUDIENCE,
} from '../contracts/tokens';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { loadConfig } from './config';
import { type RunningServer, startServer } from './index';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const DEVICE = 'dev_test_0001';

describe.each(databaseKinds)('entitlements and usage grants on %s', (kind) => {
  let t: TestDatabase;
  let server: RunningServer;
  let dataDir: string;
  const clock = new Date('2026-11-24T10:00:00Z');
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const signUp = async (email: string) =>
    AuthResponse.parse(
      (await call('POST', '/api/auth/register', { email, password: 'long enough password' })).body,
    );
  const makePro = async (userId: string) =>
    t.db
      .updateTable('users')
      .set({
        plan: 'pro',
        subscription_status: 'active',
        price_id: 'price_m',
        current_period_end: '2026-12-20T00:00:00.000Z',
      })
      .where('id', '=', userId)
      .execute();

  beforeAll(async () => {
    t = await freshDatabase(kind);
    dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-gate-'));
    const config = loadConfig({
      PORT: '0',
      AUTH_SECRET: 'b'.repeat(40),
      DATA_DIR: dataDir,
      PRO_EXPORTS_PER_MONTH: '3',
      PRO_MASTERS_PER_MONTH: '1',
      // One device holds the whole month as its offline allowance here; sharing it among devices
      // is server/devices.test.ts's.
      MAX_DEVICES_PER_USER: '1',
      STRIPE_PRICE_MONTHLY: 'price_m',
      STRIPE_PRICE_ANNUAL: 'price_y',
    });
    server = await startServer(config, { db: t.db, logger: pino({ level: 'silent' }), now: () => clock });
  });
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs entitlement tokens that verify against the JWKS, with the contract claims', async () => {
    const s = await signUp('pro@example.com');
    await makePro(s.user.id);
    const keys = Jwks.parse((await call('GET', '/.well-known/jwks.json')).body);
    const { token } = (await call('POST', '/api/entitlements/token', { deviceId: DEVICE }, s.accessToken))
      .body as { token: string };
    expect(decodeProtectedHeader(token)).toMatchObject({
      alg: 'EdDSA',
      typ: ENTITLEMENT_TYP,
      kid: keys.keys[0]?.kid,
    });
    const { payload } = await jwtVerify(token, createLocalJWKSet(keys), {
      audience: TOKEN_AUDIENCE,
      currentDate: clock,
    });
    const claims = EntitlementClaims.parse(payload);
    expect(claims).toMatchObject({
      sub: s.user.id,
      plan: 'pro',
      device: DEVICE,
      periodEnd: Date.parse('2026-12-20T00:00:00Z') / 1000,
      quota: {
        period: '2026-11',
        exports: { used: 0, reserved: 0, limit: 3 },
        masters: { used: 0, reserved: 0, limit: 1 },
      },
      offline: { exports: 3, masters: 1 },
    });
    expect([...claims.features].sort()).toEqual(['export', 'master', 'project_save']);
    // At most OFFLINE_GRACE_DAYS (7) ahead.
    expect(claims.exp - claims.iat).toBe(7 * 86400);
  });

  it('gives a free user a token without features, and refuses grants with upgrade_required', async () => {
    const s = await signUp('free@example.com');
    const { token } = (await call('POST', '/api/entitlements/token', { deviceId: DEVICE }, s.accessToken))
      .body as { token: string };
    const claims = EntitlementClaims.parse(
      JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()),
    );
    expect(claims).toMatchObject({
      plan: 'free',
      features: [],
      quota: { exports: { limit: 0 } },
      offline: { exports: 0 },
    });
    const refused = await call(
      'POST',
      '/api/usage/grants',
      { kind: 'export', idempotencyKey: 'free-0001', deviceId: DEVICE },
      s.accessToken,
    );
    expect(refused.status).toBe(402);
    expect(ErrorBody.parse(refused.body).error).toMatchObject({
      code: 'upgrade_required',
      details: { usage: { exports: { used: 0, limit: 0 } } },
    });
    expect(
      BillingMeResponse.parse((await call('GET', '/api/billing/me', undefined, s.accessToken)).body),
    ).toMatchObject({
      plan: 'free',
      exportsLimit: 0,
      mastersLimit: 0,
      quotaResetAt: '2026-12-01T00:00:00.000Z',
    });
  });

  it('reserves one unit per idempotency key, gives the same grant on a retry, and refuses at the limit', async () => {
    const s = await signUp('quota@example.com');
    await makePro(s.user.id);
    const ask = (key: string, kindOf = 'export') =>
      call(
        'POST',
        '/api/usage/grants',
        { kind: kindOf, idempotencyKey: key, deviceId: DEVICE },
        s.accessToken,
      );
    const first = await ask('quota-key-1');
    expect(first.status).toBe(200);
    const grant = UsageGrantResponse.parse(first.body);
    const retry = UsageGrantResponse.parse((await ask('quota-key-1')).body);
    expect(retry.grant).toBe(grant.grant);
    // Held, not used: the reservation counts against the limit, the use is not there yet.
    expect(retry.usage.exports).toEqual({ used: 0, reserved: 1, limit: 3 });
    const keys = Jwks.parse((await call('GET', '/.well-known/jwks.json')).body);
    const verified = await jwtVerify(grant.grant, createLocalJWKSet(keys), {
      audience: TOKEN_AUDIENCE,
      currentDate: clock,
      typ: GRANT_TYP,
    });
    expect(GrantClaims.parse(verified.payload)).toMatchObject({
      kind: 'export',
      sub: s.user.id,
      device: DEVICE,
    });
    // GRANT_TTL_SECONDS' default: the reservation lapses with the grant.
    expect(verified.payload.exp! - verified.payload.iat!).toBe(900);
    expect(verified.payload.exp).toBe(clock.getTime() / 1000 + 900);
    expect((await ask('quota-key-2')).status).toBe(200);
    expect((await ask('quota-key-3')).status).toBe(200);
    const over = await ask('quota-key-4');
    expect(over.status).toBe(402);
    expect(ErrorBody.parse(over.body).error).toMatchObject({
      code: 'quota_exceeded',
      details: { usage: { exports: { used: 0, reserved: 3, limit: 3 } } },
    });
    // The same key for another kind is another request, and refused as such.
    expect((await ask('quota-key-1', 'master')).status).toBe(400);
    expect(
      BillingMeResponse.parse((await call('GET', '/api/billing/me', undefined, s.accessToken)).body),
    ).toMatchObject({
      plan: 'pro',
      status: 'active',
      interval: 'month',
      exportsUsed: 0,
      exportsReserved: 3,
      exportsLimit: 3,
      mastersUsed: 0,
      mastersReserved: 0,
    });
  });

  it('never goes past the limit under concurrent requests', async () => {
    const s = await signUp('race@example.com');
    await makePro(s.user.id);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(
          'POST',
          '/api/usage/grants',
          { kind: 'export', idempotencyKey: `race-key-${i}`, deviceId: DEVICE },
          s.accessToken,
        ),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.filter((r) => r.status === 402)).toHaveLength(9);
    const rows = await t.db
      .selectFrom('usage_events')
      .select('id')
      .where('user_id', '=', s.user.id)
      .execute();
    expect(rows).toHaveLength(3);
  });

  it('counts offline uses once each, within the allowance of the device’s last token', async () => {
    const s = await signUp('offline@example.com');
    await makePro(s.user.id);
    // The token gives this device 3 exports and 1 master offline (the whole month's quota here).
    expect((await call('POST', '/api/entitlements/token', { deviceId: DEVICE }, s.accessToken)).status).toBe(
      200,
    );
    const at = clock.toISOString();
    const use = (id: string, kind = 'export', deviceId = DEVICE, when = at) => ({
      id,
      kind,
      at: when,
      deviceId,
    });
    const report = async (uses: unknown[]) => {
      const res = await call('POST', '/api/usage/offline', { uses }, s.accessToken);
      expect(res.status).toBe(200);
      return OfflineUsageResponse.parse(res.body);
    };
    const first = await report([use('off-00000001'), use('off-00000002')]);
    expect(first.accepted).toEqual(['off-00000001', 'off-00000002']);
    // Sent again (the app could not tell it arrived): accepted, not counted twice.
    const again = await report([use('off-00000001'), use('off-00000002')]);
    expect(again.accepted).toHaveLength(2);
    expect(again.usage.exports.used).toBe(2);
    const more = await report([
      use('off-00000003'),
      use('off-00000004'),
      use('off-master-01', 'master'),
      use('off-00000005', 'export', 'dev_other_0001'),
    ]);
    expect(more.accepted).toEqual(['off-00000003', 'off-master-01']);
    expect(more.refused).toEqual([
      { id: 'off-00000004', reason: 'offline_allowance_exceeded' },
      { id: 'off-00000005', reason: 'offline_allowance_exceeded' },
    ]);
    const early = await report([use('off-00000006', 'export', DEVICE, '2026-11-01T00:00:00.000Z')]);
    expect(early.refused).toEqual([{ id: 'off-00000006', reason: 'invalid' }]);
    expect(early.usage).toMatchObject({ exports: { used: 3, limit: 3 }, masters: { used: 1, limit: 1 } });
    const malformed = await call(
      'POST',
      '/api/usage/offline',
      { uses: [{ id: 'x', kind: 'export' }] },
      s.accessToken,
    );
    expect(malformed.status).toBe(400);
  });

  it('refuses offline uses of a free account with upgrade_required', async () => {
    const s = await signUp('offline-free@example.com');
    await call('POST', '/api/entitlements/token', { deviceId: DEVICE }, s.accessToken);
    const res = await call(
      'POST',
      '/api/usage/offline',
      { uses: [{ id: 'free-off-0001', kind: 'export', at: clock.toISOString(), deviceId: DEVICE }] },
      s.accessToken,
    );
    expect(OfflineUsageResponse.parse(res.body)).toMatchObject({
      accepted: [],
      refused: [{ id: 'free-off-0001', reason: 'upgrade_required' }],
    });
  });

  it('refuses grants and tokens without a valid sign-in or with a malformed device', async () => {
    expect(
      (
        await call('POST', '/api/usage/grants', {
          kind: 'export',
          idempotencyKey: 'anon-0001',
          deviceId: DEVICE,
        })
      ).status,
    ).toBe(401);
    const s = await signUp('bad-device@example.com');
    const bad = await call('POST', '/api/entitlements/token', { deviceId: '../etc/passwd' }, s.accessToken);
    expect(bad.status).toBe(400);
    expect(ErrorBody.parse(bad.body).error.code).toBe('validation_error');
  });
});
