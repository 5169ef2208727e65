import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse, BillingMeResponse, UsageGrantResponse, UsageResponse } from '../contracts/api';
import { ErrorBody } from '../contracts/errors';
import { GRANT_TYP, GrantClaims, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../contracts/tokens';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { type Caller, caller, makePro, signUp, testClock, usageServer } from '../tests/support/usage-kit';
import type { Db } from './db/connect';

const DEVICE = 'dev_reserve_01';
// Short enough that the clock moves within one access token's 15 minutes.
const TTL = 120;
const claimsOf = (grant: string) =>
  GrantClaims.parse(JSON.parse(Buffer.from(grant.split('.')[1] as string, 'base64url').toString()));
const codeOf = (body: unknown) => ErrorBody.parse(body).error.code;

/** The grant routes of one signed-in musician, over HTTP. */
function musician(call: Caller, token: string) {
  return {
    reserve: (key: string, kind = 'export') =>
      call('POST', '/api/usage/grants', { kind, idempotencyKey: key, deviceId: DEVICE }, token),
    commit: (grant: string) => call('POST', '/api/usage/grants/commit', { grant }, token),
    release: (grant: string) => call('POST', '/api/usage/grants/release', { grant }, token),
    renew: (grant: string) => call('POST', '/api/usage/grants/renew', { grant }, token),
    me: async () => BillingMeResponse.parse((await call('GET', '/api/billing/me', undefined, token)).body),
    /** Reserves and answers the grant, failing the test on a refusal. */
    async granted(key: string, kind = 'export') {
      const res = await this.reserve(key, kind);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return UsageGrantResponse.parse(res.body).grant;
    },
  };
}

describe.each(databaseKinds)('grant reservations on %s', (kind) => {
  let t: TestDatabase;
  let server: Awaited<ReturnType<typeof usageServer>>;
  const clock = testClock('2026-11-24T10:00:00Z');
  const call = caller(() => server.url);
  const pro = async (email: string) => {
    const s = await signUp(call, email);
    await makePro(t.db, s.user.id);
    return musician(call, s.accessToken);
  };

  beforeAll(async () => {
    t = await freshDatabase(kind);
    server = await usageServer(
      t.db,
      {
        PRO_EXPORTS_PER_MONTH: '3',
        PRO_MASTERS_PER_MONTH: '2',
        GRANT_TTL_SECONDS: String(TTL),
        FREE_TRIAL_EXPORTS: '2',
      },
      clock.now,
    );
  });
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
  });

  it('holds a unit until the work is delivered, and counts a committed grant once', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const m = await pro('commit@example.com');
    const reserved = await m.reserve('commit-key-1');
    expect(UsageGrantResponse.parse(reserved.body).usage.exports).toEqual({ used: 0, reserved: 1, limit: 3 });
    expect(await m.me()).toMatchObject({ exportsUsed: 0, exportsReserved: 1, mastersReserved: 0 });
    const grant = UsageGrantResponse.parse(reserved.body).grant;
    const committed = await m.commit(grant);
    expect(committed.status).toBe(200);
    expect(UsageResponse.parse(committed.body).usage.exports).toEqual({ used: 1, reserved: 0, limit: 3 });
    // Sent again (the answer was lost): the same use, not a second one.
    const again = await m.commit(grant);
    expect(again.status).toBe(200);
    expect(UsageResponse.parse(again.body).usage.exports.used).toBe(1);
    expect(await m.me()).toMatchObject({ exportsUsed: 1, exportsReserved: 0 });
    // The key's reservation is over: asking with it again does not reserve anew.
    const reused = await m.reserve('commit-key-1');
    expect([reused.status, codeOf(reused.body)]).toEqual([409, 'grant_committed']);
  });

  it('frees a released unit (twice is once); committed and released grants stay what they are', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const m = await pro('release@example.com');
    const [a, b, c] = [
      await m.granted('rel-key-a'),
      await m.granted('rel-key-b'),
      await m.granted('rel-key-c'),
    ];
    const full = await m.reserve('rel-key-d');
    expect(full.status).toBe(402);
    expect(ErrorBody.parse(full.body).error).toMatchObject({
      code: 'quota_exceeded',
      details: { usage: { exports: { used: 0, reserved: 3, limit: 3 } } },
    });
    const released = await m.release(c);
    expect(released.status).toBe(200);
    expect(UsageResponse.parse(released.body).usage.exports).toEqual({ used: 0, reserved: 2, limit: 3 });
    expect((await m.release(c)).status).toBe(200);
    expect((await m.me()).exportsReserved).toBe(2);
    const d = await m.granted('rel-key-d');
    expect((await m.commit(a)).status).toBe(200);
    const late = await m.release(a);
    expect([late.status, codeOf(late.body)]).toEqual([409, 'grant_committed']);
    const revived = await m.commit(c);
    expect([revived.status, codeOf(revived.body)]).toEqual([409, 'grant_released']);
    const sameKey = await m.reserve('rel-key-c');
    expect([sameKey.status, codeOf(sameKey.body)]).toEqual([409, 'grant_released']);
    expect(await m.me()).toMatchObject({ exportsUsed: 1, exportsReserved: 2 });
    expect([b, d].map((g) => claimsOf(g).kind)).toEqual(['export', 'export']);
  });

  it('lets a forgotten reservation expire and free its unit; a late commit counts only while there is room', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const m = await pro('expiry@example.com');
    const [a, b] = [await m.granted('exp-key-a'), await m.granted('exp-key-b')];
    await m.granted('exp-key-c');
    expect((await m.reserve('exp-key-d')).status).toBe(402);
    clock.advance(TTL + 1);
    expect(await m.me()).toMatchObject({ exportsUsed: 0, exportsReserved: 0 });
    await m.granted('exp-key-d');
    // The file of `a` was delivered late; there is room for it, so it counts.
    const lateButRoom = await m.commit(a);
    expect(lateButRoom.status).toBe(200);
    expect(UsageResponse.parse(lateButRoom.body).usage.exports).toEqual({ used: 1, reserved: 1, limit: 3 });
    await m.granted('exp-key-e');
    // Now use and reservations fill the month: `b`'s unit went to others, nothing is counted.
    const lateNoRoom = await m.commit(b);
    expect([lateNoRoom.status, codeOf(lateNoRoom.body)]).toEqual([409, 'grant_expired']);
    expect(await m.me()).toMatchObject({ exportsUsed: 1, exportsReserved: 2 });
    // Asking again with an expired reservation's key takes it again only if there is room.
    const retried = await m.reserve('exp-key-c');
    expect([retried.status, codeOf(retried.body)]).toEqual([402, 'quota_exceeded']);
  });

  it('renews a reservation whose work outlives it: same grant id, a later expiry', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const m = await pro('renew@example.com');
    const grant = await m.granted('renew-key-1', 'master');
    const first = claimsOf(grant);
    expect(first.exp).toBe(clock.now().getTime() / 1000 + TTL);
    clock.advance(TTL - 20);
    const renewed = await m.renew(grant);
    expect(renewed.status).toBe(200);
    const second = UsageGrantResponse.parse(renewed.body);
    expect(claimsOf(second.grant)).toMatchObject({
      jti: first.jti,
      kind: 'master',
      exp: first.exp + TTL - 20,
    });
    expect(second.usage.masters).toEqual({ used: 0, reserved: 1, limit: 2 });
    clock.advance(40);
    // Past the first expiry, still held.
    expect((await m.me()).mastersReserved).toBe(1);
    expect((await m.commit(second.grant)).status).toBe(200);
    const afterCommit = await m.renew(second.grant);
    expect([afterCommit.status, codeOf(afterCommit.body)]).toEqual([409, 'grant_committed']);
    // An expired reservation renewed while there is room is taken again.
    const other = await m.granted('renew-key-2', 'master');
    clock.advance(TTL + 5);
    expect((await m.me()).mastersReserved).toBe(0);
    const retaken = await m.renew(other);
    expect(retaken.status).toBe(200);
    expect(UsageGrantResponse.parse(retaken.body).usage.masters).toEqual({ used: 1, reserved: 1, limit: 2 });
    expect((await m.release(other)).status).toBe(200);
    const afterRelease = await m.renew(other);
    expect([afterRelease.status, codeOf(afterRelease.body)]).toEqual([409, 'grant_released']);
  });

  it('counts a use in the month it was reserved in; one taken again after expiry, in the new month', async () => {
    clock.set('2026-11-30T23:57:00Z');
    const m = await pro('month-end@example.com');
    for (const key of ['month-end-1', 'month-end-2'])
      expect((await m.commit(await m.granted(key))).status).toBe(200);
    const lapsed = await m.granted('month-end-lapsed');
    clock.set('2026-11-30T23:59:30Z');
    const rendering = await m.granted('month-end-rendering');
    // December starts while it renders; November had room for it, so November counts it.
    clock.set('2026-12-01T00:00:40Z');
    expect(await m.me()).toMatchObject({
      exportsUsed: 0,
      exportsReserved: 0,
      quotaResetAt: '2027-01-01T00:00:00.000Z',
    });
    expect((await m.commit(rendering)).status).toBe(200);
    expect((await m.me()).exportsUsed).toBe(0);
    const november = await t.db
      .selectFrom('usage_events')
      .select(['idempotency_key', 'occurred_at', 'state'])
      .where('idempotency_key', '=', 'month-end-rendering')
      .executeTakeFirstOrThrow();
    expect(november).toMatchObject({ state: 'committed', occurred_at: '2026-11-30T23:59:30.000Z' });
    // The lapsed one, asked for again, is a December reservation.
    const again = await m.reserve('month-end-lapsed');
    expect(again.status).toBe(200);
    expect(UsageGrantResponse.parse(again.body).usage).toMatchObject({
      period: '2026-12',
      exports: { used: 0, reserved: 1 },
    });
    expect(claimsOf(UsageGrantResponse.parse(again.body).grant).jti).toBe(claimsOf(lapsed).jti);
  });

  it('refuses grants that are not this musician’s, forged or malformed, and changes nothing', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const m = await pro('mine@example.com');
    const other = await pro('theirs@example.com');
    const theirs = await other.granted('theirs-key-1');
    const notMine = await m.commit(theirs);
    expect([notMine.status, codeOf(notMine.body)]).toEqual([400, 'invalid_grant']);
    expect([(await m.release(theirs)).status, (await m.renew(theirs)).status]).toEqual([400, 400]);
    expect(await other.me()).toMatchObject({ exportsUsed: 0, exportsReserved: 1 });
    // The right claims signed by another key.
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ kind: 'export', device: DEVICE })
      .setProtectedHeader({ alg: 'EdDSA', typ: GRANT_TYP, kid: 'someone-else' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(claimsOf(theirs).sub)
      .setJti(claimsOf(theirs).jti)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    expect(codeOf((await other.commit(forged)).body)).toBe('invalid_grant');
    expect(codeOf((await other.commit('not.a.grant')).body)).toBe('invalid_grant');
    const malformed = await call('POST', '/api/usage/grants/commit', { token: theirs });
    expect(malformed.status).toBe(401);
    const s = await signUp(call, 'shape@example.com');
    const noGrant = await call('POST', '/api/usage/grants/commit', { grant: 42 }, s.accessToken);
    expect([noGrant.status, codeOf(noGrant.body)]).toEqual([400, 'validation_error']);
    expect(await other.me()).toMatchObject({ exportsUsed: 0, exportsReserved: 1 });
  });

  it('lets a Free musician try through the same reservations, for life, then says the trial is used up', async () => {
    clock.set('2026-11-24T10:00:00Z');
    const s = await signUp(call, 'trial@example.com');
    const m = musician(call, s.accessToken);
    expect(await m.me()).toMatchObject({ plan: 'free', exportsLimit: 2, mastersLimit: 0 });
    // No trial of masters configured: the plan is the reason.
    const master = await m.reserve('trial-master-1', 'master');
    expect([master.status, codeOf(master.body)]).toEqual([402, 'upgrade_required']);
    const a = await m.granted('trial-key-a');
    const b = await m.granted('trial-key-b');
    const used = await m.reserve('trial-key-c');
    expect(used.status).toBe(402);
    expect(ErrorBody.parse(used.body).error).toMatchObject({
      code: 'trial_exhausted',
      details: { usage: { exports: { used: 0, reserved: 2, limit: 2 } } },
    });
    // A cancelled render gives its unit back.
    expect((await m.release(b)).status).toBe(200);
    const c = await m.granted('trial-key-c');
    expect((await m.commit(a)).status).toBe(200);
    expect((await m.commit(c)).status).toBe(200);
    // Lifetime, not monthly: December brings nothing new.
    clock.set('2026-12-05T10:00:00Z');
    const signedIn = await call('POST', '/api/auth/login', {
      email: 'trial@example.com',
      password: 'long enough password',
    });
    const december = musician(call, AuthResponse.parse(signedIn.body).accessToken);
    expect(codeOf((await december.reserve('trial-key-d')).body)).toBe('trial_exhausted');
    expect(await december.me()).toMatchObject({ exportsUsed: 2, exportsLimit: 2 });
    // Pro counts its own month; the trial's uses are not in it.
    await makePro(t.db, s.user.id);
    expect(await december.me()).toMatchObject({ plan: 'pro', exportsUsed: 0, exportsLimit: 3 });
    expect((await december.reserve('trial-key-d')).status).toBe(200);
  });
});

describe.each(databaseKinds)('reservations under concurrency on %s', (kind) => {
  const LIMIT = 20;
  let t: TestDatabase;
  let second: Db | null = null;
  const servers: Array<Awaited<ReturnType<typeof usageServer>>> = [];

  beforeAll(async () => {
    t = await freshDatabase(kind);
    const env = { PRO_EXPORTS_PER_MONTH: String(LIMIT), PRO_MASTERS_PER_MONTH: '5' };
    servers.push(await usageServer(t.db, env));
    // Two app instances, each with its own connections, sharing keys: on PostgreSQL, as two server
    // processes behind a load balancer (SQLite is one process's database).
    if (kind === 'postgres') {
      second = t.open();
      servers.push(await usageServer(second, { ...env, DATA_DIR: servers[0]?.dataDir as string }));
    }
  });
  afterAll(async () => {
    for (const s of servers.reverse()) await s.close();
    await second?.destroy();
    await t?.dispose();
  });

  /** Requests spread over the instances in turn. */
  const spread = (i: number) => caller(() => servers[i % servers.length]?.url as string);

  it('grants exactly what is left to 50 parallel reservations at the quota edge, and counts each commit once', async () => {
    const s = await signUp(spread(0), `edge-${kind}@example.com`);
    await makePro(t.db, s.user.id);
    const m = (i: number) => musician(spread(i), s.accessToken);
    // 15 used already: 5 units left.
    for (let i = 0; i < 15; i++)
      expect((await m(i).commit(await m(i).granted(`edge-used-${i}`))).status).toBe(200);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => m(i).reserve(`edge-key-${i}`)));
    const granted = replies
      .filter((r) => r.status === 200)
      .map((r) => UsageGrantResponse.parse(r.body).grant);
    expect(granted).toHaveLength(5);
    expect(replies.filter((r) => r.status === 402).map((r) => codeOf(r.body))).toEqual(
      Array(45).fill('quota_exceeded'),
    );
    expect(await m(0).me()).toMatchObject({ exportsUsed: 15, exportsReserved: 5 });
    // Every grant committed ten times at once, on either instance: five uses.
    const commits = await Promise.all(
      granted.flatMap((g, i) => Array.from({ length: 10 }, (_, j) => m(i + j).commit(g))),
    );
    expect(commits.every((r) => r.status === 200)).toBe(true);
    expect(await m(1).me()).toMatchObject({ exportsUsed: LIMIT, exportsReserved: 0 });
    const rows = await t.db
      .selectFrom('usage_events')
      .select(['state'])
      .where('user_id', '=', s.user.id)
      .execute();
    expect(rows.filter((r) => r.state === 'committed')).toHaveLength(LIMIT);
    expect(rows).toHaveLength(LIMIT);
  });

  it('never lets releases, commits and new reservations racing each other exceed the limit', async () => {
    const s = await signUp(spread(1), `churn-${kind}@example.com`);
    await makePro(t.db, s.user.id);
    const m = (i: number) => musician(spread(i), s.accessToken);
    const held = await Promise.all(
      Array.from({ length: 5 }, (_, i) => m(i).granted(`churn-held-${i}`, 'master')),
    );
    // Two of five released, three committed, while 40 new ones ask: two may get in, no more.
    const racing = await Promise.all([
      ...held.map((g, i) => (i < 2 ? m(i).release(g) : m(i).commit(g))),
      ...Array.from({ length: 40 }, (_, i) => m(i).reserve(`churn-new-${i}`, 'master')),
    ]);
    expect(racing.slice(0, 5).every((r) => r.status === 200)).toBe(true);
    const newOnes = racing.slice(5).filter((r) => r.status === 200);
    expect(newOnes.length).toBeLessThanOrEqual(2);
    const me = await m(0).me();
    expect(me.mastersUsed + me.mastersReserved).toBeLessThanOrEqual(5);
    expect(me).toMatchObject({ mastersUsed: 3, mastersReserved: newOnes.length });
  });
});
