import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthResponse,
  DevicesResponse,
  EntitlementTokenResponse,
  OfflineUsageResponse,
  UsageGrantResponse,
} from '../contracts/api';
import { ErrorBody } from '../contracts/errors';
import { EntitlementClaims } from '../contracts/tokens';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { caller, makePro, signUp, testClock, usageServer } from '../tests/support/usage-kit';

const PASSWORD = 'long enough password';
const claimsOf = (token: string) =>
  EntitlementClaims.parse(JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()));
const codeOf = (body: unknown) => ErrorBody.parse(body).error.code;

describe.each(databaseKinds)('devices and offline budgets on %s', (kind) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof usageServer>>;
  const clock = testClock('2026-11-24T10:00:00Z');
  const call = caller(() => server.url);
  const login = async (email: string, deviceId?: string) =>
    AuthResponse.parse((await call('POST', '/api/auth/login', { email, password: PASSWORD, deviceId })).body);
  const tokenFor = (access: string, deviceId: string, deviceName?: string) =>
    call('POST', '/api/entitlements/token', { deviceId, deviceName }, access);
  const offlineOf = async (access: string, deviceId: string) => {
    const res = await tokenFor(access, deviceId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return claimsOf(EntitlementTokenResponse.parse(res.body).token).offline;
  };
  const devicesOf = async (access: string) =>
    DevicesResponse.parse((await call('GET', '/api/devices', undefined, access)).body);

  beforeAll(async () => {
    t = await freshDatabase(kind);
    server = await usageServer(
      t.db,
      // The clock stays within one access token's 15 minutes, save where a test signs in again.
      {
        PRO_EXPORTS_PER_MONTH: '3',
        PRO_MASTERS_PER_MONTH: '2',
        OFFLINE_GRACE_DAYS: '1',
        GRANT_TTL_SECONDS: '300',
      },
      clock.now,
    );
  });
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
  });

  it('lets three devices hold tokens and refuses a fourth with 403 device_limit, naming the three', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const a = await signUp(call, 'three@example.com', 'dev_alpha_0001');
    await makePro(t.db, a.user.id);
    const b = await login('three@example.com', 'dev_bravo_0001');
    const c = await login('three@example.com', 'dev_charlie_01');
    expect((await tokenFor(a.accessToken, 'dev_alpha_0001', 'Studio iMac')).status).toBe(200);
    expect((await tokenFor(b.accessToken, 'dev_bravo_0001', 'Ada’s laptop')).status).toBe(200);
    expect((await tokenFor(c.accessToken, 'dev_charlie_01')).status).toBe(200);
    const fourth = await tokenFor(a.accessToken, 'dev_delta_0001');
    // Nor may it render: a grant asks the same question.
    const grant = await call(
      'POST',
      '/api/usage/grants',
      { kind: 'export', idempotencyKey: 'fourth-device-1', deviceId: 'dev_delta_0001' },
      a.accessToken,
    );
    expect([grant.status, codeOf(grant.body)]).toEqual([403, 'device_limit']);
    expect(
      (
        await call(
          'POST',
          '/api/usage/grants',
          { kind: 'export', idempotencyKey: 'third-device-1', deviceId: 'dev_charlie_01' },
          a.accessToken,
        )
      ).status,
    ).toBe(200);
    expect(fourth.status).toBe(403);
    const refusal = ErrorBody.parse(fourth.body).error;
    expect(refusal.code).toBe('device_limit');
    const named = DevicesResponse.parse(refusal.details);
    expect(named.limit).toBe(3);
    expect(named.devices.map((d) => [d.deviceId, d.name])).toEqual([
      ['dev_alpha_0001', 'Studio iMac'],
      ['dev_bravo_0001', 'Ada’s laptop'],
      ['dev_charlie_01', null],
    ]);
    expect(await devicesOf(c.accessToken)).toEqual(named);
    // A device holding a place keeps it when it renews its token.
    expect((await tokenFor(a.accessToken, 'dev_alpha_0001')).status).toBe(200);
    expect((await devicesOf(a.accessToken)).devices[0]?.name).toBe('Studio iMac');
  });

  it('signs a device out: its place is free, its refresh tokens stop, it needs to sign in again', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const a = await signUp(call, 'signout@example.com', 'dev_alpha_0002');
    await makePro(t.db, a.user.id);
    const b = await login('signout@example.com', 'dev_bravo_0002');
    const c = await login('signout@example.com', 'dev_charlie_02');
    for (const [s, id] of [
      [a, 'dev_alpha_0002'],
      [b, 'dev_bravo_0002'],
      [c, 'dev_charlie_02'],
    ] as const)
      expect((await tokenFor(s.accessToken, id)).status).toBe(200);
    const out = await call('POST', '/api/devices/sign-out', { deviceId: 'dev_bravo_0002' }, a.accessToken);
    expect(out).toEqual({ status: 200, body: { ok: true } });
    // Twice is fine; an unknown or malformed device is refused plainly.
    expect(
      (await call('POST', '/api/devices/sign-out', { deviceId: 'dev_bravo_0002' }, a.accessToken)).status,
    ).toBe(200);
    const unknown = await call(
      'POST',
      '/api/devices/sign-out',
      { deviceId: 'dev_never_seen' },
      a.accessToken,
    );
    expect([unknown.status, codeOf(unknown.body)]).toEqual([404, 'not_found']);
    const bad = await call('POST', '/api/devices/sign-out', { deviceId: '../x' }, a.accessToken);
    expect([bad.status, codeOf(bad.body)]).toEqual([400, 'validation_error']);
    const refreshed = await call('POST', '/api/auth/refresh', { refreshToken: b.refreshToken });
    expect([refreshed.status, codeOf(refreshed.body)]).toEqual([401, 'invalid_refresh_token']);
    // The other devices' sessions go on.
    expect((await call('POST', '/api/auth/refresh', { refreshToken: c.refreshToken })).status).toBe(200);
    expect((await devicesOf(a.accessToken)).devices.map((d) => d.deviceId)).toEqual([
      'dev_alpha_0002',
      'dev_charlie_02',
    ]);
    // Its place went to a new device; the signed-out one, still holding an access token, gets nothing.
    expect((await tokenFor(a.accessToken, 'dev_delta_0002')).status).toBe(200);
    const stale = await tokenFor(b.accessToken, 'dev_bravo_0002');
    expect([stale.status, codeOf(stale.body)]).toEqual([401, 'unauthorized']);
    // Signed in again, it is a device like any other: three hold the places now.
    const back = await login('signout@example.com', 'dev_bravo_0002');
    expect(codeOf((await tokenFor(back.accessToken, 'dev_bravo_0002')).body)).toBe('device_limit');
    // A device unused for the offline grace (1 day here) frees its place by itself.
    clock.advance(86400 + 60);
    const later = await login('signout@example.com', 'dev_bravo_0002');
    expect((await devicesOf(later.accessToken)).devices).toEqual([]);
    expect((await tokenFor(later.accessToken, 'dev_bravo_0002')).status).toBe(200);
  });

  it('hands out offline allowances that add up to no more than the month has left', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const s = await signUp(call, 'budget@example.com');
    await makePro(t.db, s.user.id);
    const ids = Array.from({ length: 10 }, (_, i) => `dev_budget_${String(i).padStart(2, '0')}`);
    // Ten device ids, as in the report that got 30 offline exports out of a quota of 3.
    const answers = [];
    for (const id of ids) answers.push(await tokenFor(s.accessToken, id));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 403, 403, 403, 403, 403, 403, 403]);
    const offline = answers
      .filter((r) => r.status === 200)
      .map((r) => claimsOf(EntitlementTokenResponse.parse(r.body).token).offline);
    expect(offline.map((o) => o.exports)).toEqual([1, 1, 1]);
    expect(offline.reduce((n, o) => n + o.masters, 0)).toBeLessThanOrEqual(2);
    // Every device reports ten exports: three are counted, the month is full, not past it.
    const uses = ids.flatMap((deviceId, d) =>
      Array.from({ length: 10 }, (_, i) => ({
        id: `budget-use-${d}-${i}`,
        kind: 'export',
        at: '2026-11-24T10:05:00.000Z',
        deviceId,
      })),
    );
    clock.set('2026-11-24T10:10:00Z');
    const report = OfflineUsageResponse.parse(
      (await call('POST', '/api/usage/offline', { uses }, s.accessToken)).body,
    );
    expect(report.accepted).toHaveLength(3);
    expect(report.usage.exports).toEqual({ used: 3, reserved: 0, limit: 3 });
    // The month is used up: a renewed token gives nothing offline.
    expect((await offlineOf(s.accessToken, ids[0] as string)).exports).toBe(0);
  });

  it('takes use and live reservations out of the budget, and shares what is left again on renewal', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const s = await signUp(call, 'renewal@example.com');
    await makePro(t.db, s.user.id);
    const grant = async (key: string) =>
      UsageGrantResponse.parse(
        (
          await call(
            'POST',
            '/api/usage/grants',
            { kind: 'export', idempotencyKey: key, deviceId: 'dev_online_001' },
            s.accessToken,
          )
        ).body,
      ).grant;
    await call('POST', '/api/usage/grants/commit', { grant: await grant('renewal-used-1') }, s.accessToken);
    await grant('renewal-held-1');
    // 3 − 1 used − 1 reserved = 1 left, over three places: the first device gets nothing yet.
    expect((await offlineOf(s.accessToken, 'dev_online_001')).exports).toBe(0);
    clock.advance(301);
    // The reservation lapsed: 2 left, shared as devices come, never more in total.
    const shares = [];
    for (const id of ['dev_online_001', 'dev_second_001', 'dev_third_0001', 'dev_online_001'])
      shares.push((await offlineOf(s.accessToken, id)).exports);
    expect(shares).toEqual([0, 1, 1, 0]);
    // A device renewing finds its own allowance given back to the budget, not counted against it.
    expect((await offlineOf(s.accessToken, 'dev_second_001')).exports).toBe(1);
  });

  it('never lets offline reports push the month past its quota, reservations included', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const s = await signUp(call, 'cap@example.com');
    await makePro(t.db, s.user.id);
    expect((await offlineOf(s.accessToken, 'dev_offline_01')).exports).toBe(1);
    // Meanwhile another device uses the rest online: two committed, one still rendering.
    const ask = (key: string) =>
      call(
        'POST',
        '/api/usage/grants',
        { kind: 'export', idempotencyKey: key, deviceId: 'dev_online_002' },
        s.accessToken,
      );
    for (const key of ['cap-online-1', 'cap-online-2']) {
      const { grant } = UsageGrantResponse.parse((await ask(key)).body);
      await call('POST', '/api/usage/grants/commit', { grant }, s.accessToken);
    }
    expect((await ask('cap-online-3')).status).toBe(200);
    const use = {
      id: 'cap-offline-1',
      kind: 'export',
      at: '2026-11-24T10:01:00.000Z',
      deviceId: 'dev_offline_01',
    };
    clock.set('2026-11-24T10:02:00Z');
    const report = OfflineUsageResponse.parse(
      (await call('POST', '/api/usage/offline', { uses: [use] }, s.accessToken)).body,
    );
    expect(report).toMatchObject({
      accepted: [],
      refused: [{ id: 'cap-offline-1', reason: 'quota_exceeded' }],
      usage: { exports: { used: 2, reserved: 1, limit: 3 } },
    });
    // Once the reservation lapses, there is room again, and the same report is taken.
    clock.set('2026-11-24T10:06:00Z');
    const again = OfflineUsageResponse.parse(
      (await call('POST', '/api/usage/offline', { uses: [use] }, s.accessToken)).body,
    );
    expect(again.accepted).toEqual(['cap-offline-1']);
    expect(again.usage.exports).toEqual({ used: 3, reserved: 0, limit: 3 });
  });
});
