import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPair, importPKCS8, type JWTPayload, SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse } from '../../../contracts/api';
import { ENTITLEMENT_TYP, Jwks } from '../../../contracts/tokens';
import { loadConfig } from '../../../server/config';
import { type RunningServer, startServer } from '../../../server/index';
import { freshDatabase, type TestDatabase } from '../../../tests/support/databases';
import { TokenVerifier } from './token-verifier';

const DEVICE = 'dev_desktop_0001';
let t: TestDatabase;
let server: RunningServer;
let dataDir: string;
let session: AuthResponse;
let jwksFetches = 0;
const serverNow = new Date('2026-11-24T10:00:00Z');

async function serverToken(deviceId = DEVICE): Promise<string> {
  const res = await fetch(`${server.url}/api/entitlements/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.accessToken}` },
    body: JSON.stringify({ deviceId }),
  });
  return ((await res.json()) as { token: string }).token;
}

function verifier(nowMs: () => number, deviceId = DEVICE) {
  let mark = 0;
  return new TokenVerifier(
    {
      fetchJwks: async () => {
        jwksFetches++;
        return (await fetch(`${server.url}/.well-known/jwks.json`)).json();
      },
      nowMs,
      highWater: { get: () => mark, set: (ms) => (mark = ms) },
    },
    deviceId,
  );
}

/** A token signed with the server's own key but with one thing changed. */
async function crafted(change: {
  payload?: Partial<JWTPayload>;
  typ?: string;
  exp?: number;
}): Promise<string> {
  const key = await importPKCS8(readFileSync(path.join(dataDir, 'entitlement-key.pem'), 'utf8'), 'EdDSA');
  const kid = Jwks.parse(await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).keys[0]?.kid;
  const good = JSON.parse(
    Buffer.from((await serverToken()).split('.')[1] as string, 'base64url').toString(),
  ) as JWTPayload;
  return new SignJWT({ ...good, ...change.payload, ...(change.exp ? { exp: change.exp } : {}) })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: change.typ ?? ENTITLEMENT_TYP })
    .sign(key);
}

beforeAll(async () => {
  t = await freshDatabase('sqlite');
  dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-verifier-'));
  server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, AUTH_SECRET: 'c'.repeat(40) }), {
    db: t.db,
    logger: pino({ level: 'silent' }),
    now: () => serverNow,
  });
  const res = await fetch(`${server.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'desk@example.com', password: 'desktop password' }),
  });
  session = AuthResponse.parse(await res.json());
  await t.db
    .updateTable('users')
    .set({ plan: 'pro', subscription_status: 'active' })
    .where('id', '=', session.user.id)
    .execute();
});
afterAll(async () => {
  await server?.close();
  await t?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('TokenVerifier against the real server', () => {
  it('believes a token the server signed for this device, fetching the keys once', async () => {
    jwksFetches = 0;
    const v = verifier(() => serverNow.getTime());
    const result = await v.verify(await serverToken());
    expect(result).toMatchObject({ ok: true, claims: { plan: 'pro', device: DEVICE } });
    expect((await v.verify(await serverToken())).ok).toBe(true);
    expect(jwksFetches).toBe(1);
  });

  it('refuses a token for another device, of another type or audience, or expired', async () => {
    const v = verifier(() => serverNow.getTime());
    expect(await v.verify(await serverToken('dev_other_0001'))).toEqual({
      ok: false,
      reason: 'foreign_device',
    });
    expect(await v.verify(await crafted({ typ: 'siberia-grant+jwt' }))).toEqual({
      ok: false,
      reason: 'wrong_type',
    });
    expect(await v.verify(await crafted({ payload: { aud: 'someone-else' } }))).toEqual({
      ok: false,
      reason: 'wrong_audience',
    });
    const past = Math.floor(serverNow.getTime() / 1000) - 3600;
    expect(await v.verify(await crafted({ exp: past }))).toEqual({ ok: false, reason: 'expired' });
    // Within the 60 s tolerance, still good.
    expect((await v.verify(await crafted({ exp: Math.floor(serverNow.getTime() / 1000) - 30 }))).ok).toBe(
      true,
    );
  });

  it('refuses forged and malformed tokens and unknown keys', async () => {
    const v = verifier(() => serverNow.getTime());
    const real = await serverToken();
    const [h, p] = real.split('.') as [string, string];
    // Another key claiming the server's key id.
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const kid = Jwks.parse(await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).keys[0]?.kid;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as JWTPayload;
    const forged = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: ENTITLEMENT_TYP })
      .sign(privateKey);
    expect(await v.verify(forged)).toEqual({ ok: false, reason: 'bad_signature' });
    const upgraded = Buffer.from(JSON.stringify({ ...payload, plan: 'studio' })).toString('base64url');
    expect(await v.verify(`${h}.${upgraded}.${real.split('.')[2]}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const stranger = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'not-a-server-key', typ: ENTITLEMENT_TYP })
      .sign(privateKey);
    expect(await v.verify(stranger)).toEqual({ ok: false, reason: 'unknown_key' });
    expect(await v.verify('not.a.token')).toEqual({ ok: false, reason: 'malformed' });
    expect(await v.verify('garbage')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('does not let a clock set back extend a token', async () => {
    let now = serverNow.getTime();
    const v = verifier(() => now);
    const token = await serverToken();
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as {
      exp: number;
    };
    now = exp * 1000 + 120_000;
    expect(await v.verify(token)).toEqual({ ok: false, reason: 'expired' });
    // The user sets the clock back a week: the verifier remembers the time it has seen.
    now = serverNow.getTime();
    expect(await v.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('says so when the keys cannot be fetched at all', async () => {
    const v = new TokenVerifier(
      {
        fetchJwks: async () => {
          throw new Error('ECONNREFUSED');
        },
        nowMs: () => serverNow.getTime(),
        highWater: { get: () => 0, set: () => {} },
      },
      DEVICE,
    );
    expect(await v.verify(await serverToken())).toEqual({ ok: false, reason: 'keys_unavailable' });
  });
});
