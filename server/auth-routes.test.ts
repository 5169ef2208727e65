import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiRoute, AuthResponse, api } from '../contracts/api';
import { ErrorBody } from '../contracts/errors';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { loadConfig } from './config';
import { type RunningServer, startServer } from './index';
import { AccessTokens } from './security/access-tokens';

const authed = Object.entries(api as Record<string, ApiRoute>).filter(([, route]) => route.auth);

describe.each(databaseKinds)('the route table drives authentication, on %s', (kind) => {
  let t: TestDatabase;
  let server: RunningServer;
  let valid: string;
  const now = () => new Date('2026-11-24T10:00:00Z');
  const call = async (route: ApiRoute, authorization?: string) => {
    const res = await fetch(`${server.url}${route.path}`, {
      method: route.method,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      // An empty body: authentication must answer before the body is checked.
      body: route.method === 'POST' ? '{}' : undefined,
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    t = await freshDatabase(kind);
    const config = loadConfig({ PORT: '0', AUTH_SECRET: 'a'.repeat(40), LOG_LEVEL: 'silent' });
    server = await startServer(config, { db: t.db, logger: pino({ level: 'silent' }), now });
    const reg = await fetch(`${server.url}${api.register.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'auth@example.com', password: 'correct horse battery' }),
    });
    valid = AuthResponse.parse(await reg.json()).accessToken;
  });
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
  });

  it('has routes that need a signed-in user', () => {
    expect(authed.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'me',
        'billingMe',
        'usageGrant',
        'usageGrantCommit',
        'usageGrantRelease',
        'usageGrantRenew',
        'devices',
        'deviceSignOut',
      ]),
    );
  });

  it.each(authed)(
    '%s answers 401 unauthorized without a token, and with a forged one',
    async (_name, route) => {
      // Forged: well formed, our issuer and audience, another secret. Last, a real token without its scheme.
      const forged = (await new AccessTokens('b'.repeat(40), now).issue('someone')).token;
      for (const authorization of [undefined, `Bearer ${forged}`, 'Bearer not.a.token', valid]) {
        const answer = await call(route, authorization);
        expect(answer.status).toBe(401);
        expect(ErrorBody.parse(answer.body).error.code).toBe('unauthorized');
      }
    },
  );

  it.each(authed)('%s lets a signed-in user past authentication', async (_name, route) => {
    const answer = await call(route, `Bearer ${valid}`);
    expect(answer.status).not.toBe(401);
  });
});
