import { describe, expect, it } from 'vitest';
import { PLAN_FEATURES, Usage } from './plan';
import {
  EntitlementClaims,
  GrantClaims,
  isCanonicalBase64url,
  isCanonicalJws,
  Jwks,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from './tokens';

const now = 1_795_000_000;
const claims = {
  iss: TOKEN_ISSUER,
  aud: TOKEN_AUDIENCE,
  sub: 'usr_1',
  plan: 'pro',
  features: PLAN_FEATURES.pro,
  device: 'dev_12345678',
  periodEnd: now + 30 * 86400,
  quota: {
    period: '2026-11',
    exports: { used: 1, reserved: 2, limit: 500 },
    masters: { used: 0, reserved: 0, limit: 200 },
    resetAt: now + 86400,
  },
  offline: { until: now + 7 * 86400, exports: 20, masters: 10 },
  iat: now,
  exp: now + 7 * 86400,
};

describe('entitlement claims', () => {
  it('accepts the claims the server signs', () => {
    expect(EntitlementClaims.parse(claims)).toEqual(claims);
    expect(
      EntitlementClaims.safeParse({ ...claims, periodEnd: null, plan: 'free', features: [] }).success,
    ).toBe(true);
    // A token signed before reservations existed reads as holding none.
    const older = { ...claims.quota, exports: { used: 1, limit: 500 } };
    expect(EntitlementClaims.parse({ ...claims, quota: older }).quota.exports).toEqual({
      used: 1,
      reserved: 0,
      limit: 500,
    });
  });
  it('refuses a foreign audience, an unknown feature or plan, a bad period', () => {
    expect(EntitlementClaims.safeParse({ ...claims, aud: 'someone-else' }).success).toBe(false);
    expect(EntitlementClaims.safeParse({ ...claims, features: ['export', 'teleport'] }).success).toBe(false);
    expect(EntitlementClaims.safeParse({ ...claims, plan: 'enterprise' }).success).toBe(false);
    expect(
      EntitlementClaims.safeParse({ ...claims, quota: { ...claims.quota, period: '2026-13' } }).success,
    ).toBe(false);
    expect(EntitlementClaims.safeParse({ ...claims, exp: 1.5 }).success).toBe(false);
  });
});

describe('grant claims', () => {
  const grant = {
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    jti: 'grant_0123456',
    sub: 'usr_1',
    kind: 'export',
    device: 'dev_12345678',
    iat: now,
    exp: now + 900,
  };
  it('accepts a grant and refuses a wrong kind or missing jti', () => {
    expect(GrantClaims.safeParse(grant).success).toBe(true);
    expect(GrantClaims.safeParse({ ...grant, kind: 'project_save' }).success).toBe(false);
    expect(GrantClaims.safeParse({ ...grant, jti: undefined }).success).toBe(false);
  });
});

describe('JWKS and usage', () => {
  it('accepts Ed25519 keys only', () => {
    expect(
      Jwks.safeParse({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k1', alg: 'EdDSA' }] }).success,
    ).toBe(true);
    expect(Jwks.safeParse({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', kid: 'k1' }] }).success).toBe(false);
  });
  it('free has no features; pro and studio have all three', () => {
    expect(PLAN_FEATURES.free).toEqual([]);
    expect([...PLAN_FEATURES.pro].sort()).toEqual(['export', 'master', 'project_save']);
    expect(PLAN_FEATURES.studio).toEqual(PLAN_FEATURES.pro);
  });
  it('shapes usage', () => {
    const usage = {
      period: '2026-11',
      exports: { used: 3, limit: 500 },
      masters: { used: 0, limit: 200 },
      resetAt: '2026-12-01T00:00:00.000Z',
    };
    expect(Usage.safeParse(usage).success).toBe(true);
    expect(Usage.safeParse({ ...usage, resetAt: 'soon' }).success).toBe(false);
    expect(Usage.safeParse({ ...usage, exports: { used: 3, reserved: -1, limit: 500 } }).success).toBe(false);
  });
});

describe('canonical base64url', () => {
  it('accepts what Node writes and nothing else that decodes to the same bytes', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      const text = bytes.toString('base64url');
      expect(isCanonicalBase64url(text)).toBe(true);
      expect(isCanonicalBase64url(`${text}=`)).toBe(false);
      if (text.length % 4 > 1) {
        // Same bytes, a stray bit in the last character's unused part.
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const stray = `${text.slice(0, -1)}${alphabet[alphabet.indexOf(text.at(-1) as string) | 1]}`;
        expect(Buffer.from(stray, 'base64url').equals(bytes)).toBe(true);
        expect(isCanonicalBase64url(stray)).toBe(false);
      }
    }
    expect(isCanonicalBase64url('abcde')).toBe(false);
    expect(isCanonicalBase64url('ab+/')).toBe(false);
    expect(isCanonicalJws('eyJh.eyJh.c2ln')).toBe(true);
    for (const bad of ['eyJh.eyJh', 'eyJh..c2ln', 'eyJh.eyJh.c2ln=', 'eyJh.eyJh.c2ln ', 'a.b.c.d'])
      expect(isCanonicalJws(bad)).toBe(false);
  });
});
