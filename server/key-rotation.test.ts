import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse } from '../contracts/api';
import { Jwks } from '../contracts/tokens';
import { TokenVerifier } from '../electron/main/services/token-verifier';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { loadConfig } from './config';
import { type RunningServer, startServer } from './index';
import { KEY_LEAD_MS, rotateKey } from './security/keyring';

const DEVICE = 'dev_rotation_0001';
const DAY = 86_400_000;

describe.each(databaseKinds)('rotating the entitlement signing key, on %s', (kind) => {
  let t: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let second: RunningServer;
  let session: AuthResponse;
  let clock = new Date('2026-11-24T10:00:00Z');
  let jwksFetches = 0;

  const tokenFrom = async (s: RunningServer) => {
    const res = await fetch(`${s.url}/api/entitlements/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.accessToken}` },
      body: JSON.stringify({ deviceId: DEVICE }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  const kids = async (s: RunningServer) =>
    Jwks.parse(await (await fetch(`${s.url}/.well-known/jwks.json`)).json()).keys.map((k) => k.kid);
  const kidOf = (token: string) => decodeProtectedHeader(token).kid;

  beforeAll(async () => {
    t = await freshDatabase(kind);
    dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-rotation-'));
    const boot = () =>
      startServer(
        loadConfig({ PORT: '0', DATA_DIR: dataDir, AUTH_SECRET: 'r'.repeat(40), OFFLINE_GRACE_DAYS: '7' }),
        {
          db: t.db,
          logger: pino({ level: 'silent' }),
          now: () => clock,
        },
      );
    server = await boot();
    // Another process on the same database: the rotation reaches it too.
    second = await boot();
    const res = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'rotate@example.com', password: 'rotation password' }),
    });
    session = AuthResponse.parse(await res.json());
  });
  afterAll(async () => {
    await server?.close();
    await second?.close();
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes the new key before it signs, keeps the old one while its tokens live, and the app follows', async () => {
    // The app's own verifier, which has the keys already and reads them again only for an unknown kid.
    let mark = 0;
    const app = new TokenVerifier(
      {
        fetchJwks: async () => {
          jwksFetches++;
          return (await fetch(`${second.url}/.well-known/jwks.json`)).json();
        },
        nowMs: () => clock.getTime(),
        highWater: { get: () => mark, set: (ms) => (mark = ms) },
      },
      DEVICE,
    );
    const before = await tokenFrom(server);
    expect((await app.verify(before)).ok).toBe(true);
    const oldKid = kidOf(before);
    expect(await kids(server)).toEqual([oldKid]);

    const { kid: newKid, activeFrom } = await rotateKey(t.db, clock);
    expect(activeFrom.getTime() - clock.getTime()).toBe(KEY_LEAD_MS);
    await Promise.all([server.keyring.refresh(), second.keyring.refresh()]);
    // Published at once on every process; not signing yet.
    expect(await kids(server)).toEqual([oldKid, newKid]);
    expect(await kids(second)).toEqual([oldKid, newKid]);
    expect(kidOf(await tokenFrom(server))).toBe(oldKid);

    clock = new Date(activeFrom.getTime() + 1000);
    const after = await tokenFrom(second);
    expect(kidOf(after)).toBe(newKid);
    expect(kidOf(await tokenFrom(server))).toBe(newKid);
    const fetchesBefore = jwksFetches;
    expect(await app.verify(after)).toMatchObject({ ok: true });
    expect(jwksFetches).toBe(fetchesBefore + 1);
    // A token of the old key still verifies while it lives.
    expect(await app.verify(before)).toMatchObject({ ok: true });
    expect(await kids(server)).toEqual([oldKid, newKid]);

    // Once every token the old key signed has expired, it is no longer served.
    clock = new Date(activeFrom.getTime() + 7 * DAY + 6 * 60_000);
    expect(await kids(server)).toEqual([newKid]);
    expect(await app.verify(before)).toMatchObject({ ok: false });
  });
});
