import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_SECONDS, AccessTokens } from './access-tokens';

const SECRET = 's'.repeat(40);
const at = new Date('2026-11-24T12:00:00Z');
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sign = (header: unknown, payload: unknown, secret = SECRET) => {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
};
const claims = (over: Record<string, unknown> = {}) => ({
  sub: 'usr_1',
  iss: 'siberia-mix-server',
  aud: 'siberia-mix-api',
  iat: at.getTime() / 1000,
  exp: at.getTime() / 1000 + 60,
  ...over,
});

describe('access tokens', () => {
  const tokens = new AccessTokens(SECRET, () => at);

  it('verifies what it issues, until it expires', async () => {
    const { token, expiresAt } = await tokens.issue('usr_42');
    expect(expiresAt.getTime() - at.getTime()).toBe(ACCESS_TOKEN_SECONDS * 1000);
    expect(tokens.verify(token)).toBe('usr_42');
    const later = new AccessTokens(SECRET, () => new Date(expiresAt.getTime()));
    expect(later.verify(token)).toBeNull();
  });

  it('accepts a standard HS256 JWT with our issuer and audience (jose-signed)', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('usr_7')
      .setIssuer('siberia-mix-server')
      .setAudience('siberia-mix-api')
      .setExpirationTime(at.getTime() / 1000 + 30)
      .sign(new TextEncoder().encode(SECRET));
    expect(tokens.verify(token)).toBe('usr_7');
  });

  it('refuses forged, tampered, foreign, algorithm-swapped and malformed tokens', async () => {
    const { token } = await tokens.issue('usr_42');
    const [h, , s] = token.split('.');
    expect(tokens.verify(`${h}.${b64(claims({ sub: 'usr_admin' }))}.${s}`)).toBeNull();
    expect(
      tokens.verify(sign({ alg: 'HS256' }, claims(), 'another secret of forty characters......')),
    ).toBeNull();
    expect(tokens.verify(`${b64({ alg: 'none' })}.${b64(claims())}.`)).toBeNull();
    expect(tokens.verify(sign({ alg: 'HS512' }, claims()))).toBeNull();
    expect(tokens.verify(sign({ alg: 'HS256', crit: ['x'] }, claims()))).toBeNull();
    expect(tokens.verify(sign({ alg: 'HS256' }, claims({ aud: 'siberia-mix-desktop' })))).toBeNull();
    expect(tokens.verify(sign({ alg: 'HS256' }, claims({ iss: 'someone' })))).toBeNull();
    expect(tokens.verify(sign({ alg: 'HS256' }, claims({ exp: undefined })))).toBeNull();
    expect(tokens.verify(sign({ alg: 'HS256' }, claims({ nbf: at.getTime() / 1000 + 10 })))).toBeNull();
    expect(tokens.verify(sign({ alg: 'HS256' }, claims({ sub: 42 })))).toBeNull();
    expect(tokens.verify(sign({ alg: 'HS256' }, claims()))).toBe('usr_1');
    for (const junk of ['', 'a.b', 'a.b.c.d', '...', 'x'.repeat(5000), `${h}.!!!.${s}`])
      expect(tokens.verify(junk)).toBeNull();
  });

  it('believes a signature only in the spelling it was signed with', async () => {
    const { token } = await tokens.issue('usr_42');
    expect(tokens.verify(token)).toBe('usr_42');
    // HS256's 32 bytes end in 43 characters whose last carries two unused bits.
    const last = token.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const strayBits = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    for (const variant of [`${token}=`, `${token}==`, `${token} `, `${token}\n`, strayBits])
      expect(tokens.verify(variant), JSON.stringify(variant.slice(-3))).toBeNull();
  });
});
