import { createLocalJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import {
  ENTITLEMENT_TYP,
  type EntitlementClaims,
  EntitlementClaims as EntitlementClaimsSchema,
  GRANT_TYP,
  type GrantClaims,
  GrantClaims as GrantClaimsSchema,
  Jwks,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from '../../../contracts/tokens';

export type VerifyRefusal =
  | 'malformed'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_type'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'foreign_device'
  | 'keys_unavailable'
  | 'wrong_kind';

export type VerifyResult = { ok: true; claims: EntitlementClaims } | { ok: false; reason: VerifyRefusal };
export type GrantVerifyResult = { ok: true; claims: GrantClaims } | { ok: false; reason: VerifyRefusal };

/** The ports this service needs: the server's JWKS, the clock, and somewhere to keep the clock's high-water mark. */
export type VerifierPorts = {
  fetchJwks(): Promise<unknown>;
  nowMs(): number;
  highWater: { get(): number; set(ms: number): void };
};

/**
 * Verifies the server's signed tokens, entitlement tokens and usage grants, before main believes
 * them: Ed25519 signature against the server's
 * JWKS (cached; fetched again once when a key id is unknown, for key rotation), typ, issuer,
 * audience, expiry with a small tolerance, and the device. Time never runs backwards for it: the
 * latest time it has seen is kept, so setting the clock back does not extend a token.
 */
export class TokenVerifier {
  private keys: JWTVerifyGetKey | null = null;
  private kids = new Set<string>();

  constructor(
    private readonly ports: VerifierPorts,
    private readonly deviceId: string,
    private readonly toleranceSec = 60,
  ) {}

  /** Now, as far as tokens are concerned: never earlier than a time already seen. */
  now(): number {
    const now = this.ports.nowMs();
    const seen = this.ports.highWater.get();
    if (now > seen) {
      this.ports.highWater.set(now);
      return now;
    }
    return seen;
  }

  private async loadKeys(): Promise<void> {
    const jwks = Jwks.parse(await this.ports.fetchJwks());
    this.keys = createLocalJWKSet(jwks);
    this.kids = new Set(jwks.keys.map((k) => k.kid));
  }

  async verify(token: string): Promise<VerifyResult> {
    const checked = await this.check(token, ENTITLEMENT_TYP);
    if (!checked.ok) return checked;
    const claims = EntitlementClaimsSchema.safeParse(checked.payload);
    if (!claims.success) return { ok: false, reason: 'malformed' };
    if (claims.data.device !== this.deviceId) return { ok: false, reason: 'foreign_device' };
    return { ok: true, claims: claims.data };
  }

  /** A usage grant: same keys and checks, its own typ, and the kind it was asked for. */
  async verifyGrant(token: string, kind: GrantClaims['kind']): Promise<GrantVerifyResult> {
    const checked = await this.check(token, GRANT_TYP);
    if (!checked.ok) return checked;
    const claims = GrantClaimsSchema.safeParse(checked.payload);
    if (!claims.success) return { ok: false, reason: 'malformed' };
    if (claims.data.device !== this.deviceId) return { ok: false, reason: 'foreign_device' };
    if (claims.data.kind !== kind) return { ok: false, reason: 'wrong_kind' };
    return { ok: true, claims: claims.data };
  }

  private async check(
    token: string,
    typ: string,
  ): Promise<{ ok: true; payload: unknown } | { ok: false; reason: VerifyRefusal }> {
    let kid: string | undefined;
    try {
      const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
        kid?: unknown;
      };
      kid = typeof header.kid === 'string' ? header.kid : undefined;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (!kid || token.split('.').length !== 3) return { ok: false, reason: 'malformed' };
    try {
      if (!this.keys || !this.kids.has(kid)) await this.loadKeys();
    } catch {
      if (!this.keys) return { ok: false, reason: 'keys_unavailable' };
    }
    if (!this.kids.has(kid) || !this.keys) return { ok: false, reason: 'unknown_key' };
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: ['EdDSA'],
        typ,
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        currentDate: new Date(this.now()),
        clockTolerance: this.toleranceSec,
      });
      return { ok: true, payload };
    } catch (e) {
      return { ok: false, reason: refusalOf(e) };
    }
  }
}

function refusalOf(e: unknown): VerifyRefusal {
  if (e instanceof errors.JWTExpired) return 'expired';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return 'wrong_audience';
    if (e.claim === 'typ') return 'wrong_type';
    if (e.claim === 'iat' || e.claim === 'nbf') return 'not_yet_valid';
    return 'malformed';
  }
  if (e instanceof errors.JWKSNoMatchingKey) return 'unknown_key';
  return 'malformed';
}
