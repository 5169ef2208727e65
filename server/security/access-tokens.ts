import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
const AUDIENCE = 'siberia-mix-api';
const ISSUER = 'siberia-mix-server';

/** HS256 access tokens, signed with AUTH_SECRET: never the entitlement key. */
export class AccessTokens {
  private readonly key: Uint8Array;
  constructor(
    private readonly secret: string,
    private readonly now: () => Date,
  ) {
    this.key = new TextEncoder().encode(secret);
  }
  async issue(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_SECONDS)
      .sign(this.key);
    return { token, expiresAt: new Date((iat + ACCESS_TOKEN_SECONDS) * 1000) };
  }
  /**
   * The user id, or null for anything forged, expired or foreign. Every API request pays for this,
   * so it is a synchronous HMAC over node:crypto rather than a WebCrypto round trip; only HS256
   * with our exact header is accepted (no "alg" games).
   */
  verify(token: string): string | null {
    if (token.length > 2048) return null;
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [header, payload, signature] = parts as [string, string, string];
    // Compared as text in the one spelling we sign with: decoders forgive padding and stray bits.
    const expected = Buffer.from(
      createHmac('sha256', this.secret).update(`${header}.${payload}`).digest('base64url'),
    );
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (h.alg !== 'HS256' || (h.typ !== undefined && h.typ !== 'JWT') || h.crit !== undefined) return null;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const now = Math.floor(this.now().getTime() / 1000);
      if (claims.iss !== ISSUER || claims.aud !== AUDIENCE) return null;
      if (typeof claims.exp !== 'number' || now >= claims.exp) return null;
      if (typeof claims.nbf === 'number' && now < claims.nbf) return null;
      return typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
    } catch {
      return null;
    }
  }
}
