import { type CryptoKey, compactVerify, importJWK, type JWK } from 'jose';
import { GRANT_TYP, GrantClaims, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../contracts/tokens';
import type { UsageKind } from '../../contracts/plan';
import { signJwt } from './jwt';
import type { SigningKey } from './signing-keys';

/** A reservation as its grant names it: the grant's `exp` is when the reservation lapses. */
export type GrantFacts = {
  grantId: string;
  userId: string;
  kind: UsageKind;
  deviceId: string;
  expiresAt: Date;
};

/**
 * Signs a reservation's grant. Its `iat` is one time-to-live before `exp`, so that the same
 * reservation (a retried request) gives the same grant, and a renewal a new one.
 */
export function signGrant(key: SigningKey, grant: GrantFacts, ttlSeconds: number): Promise<string> {
  const exp = Math.floor(grant.expiresAt.getTime() / 1000);
  return signJwt(key, {
    typ: GRANT_TYP,
    sub: grant.userId,
    jti: grant.grantId,
    claims: { kind: grant.kind, device: grant.deviceId },
    iat: Math.max(0, exp - ttlSeconds),
    exp,
  });
}

/**
 * Reads a grant this server signed (any of its keys), whatever its expiry: an expired grant still
 * names its reservation, and the database says what became of it. Anything else is null.
 */
export async function readGrant(keys: readonly SigningKey[], token: string): Promise<GrantClaims | null> {
  for (const key of keys) {
    try {
      const { payload, protectedHeader } = await compactVerify(token, await publicKeyOf(key.publicJwk), {
        algorithms: ['EdDSA'],
      });
      if (protectedHeader.typ !== GRANT_TYP || protectedHeader.kid !== key.kid) continue;
      const claims = GrantClaims.safeParse(JSON.parse(new TextDecoder().decode(payload)));
      if (claims.success && claims.data.iss === TOKEN_ISSUER && claims.data.aud === TOKEN_AUDIENCE)
        return claims.data;
    } catch {
      // Not signed by this key (or not a JWS at all): try the next one.
    }
  }
  return null;
}

const publicKeys = new WeakMap<JWK, Promise<CryptoKey | Uint8Array>>();
function publicKeyOf(jwk: JWK) {
  let key = publicKeys.get(jwk);
  if (!key) {
    key = importJWK(jwk, 'EdDSA');
    publicKeys.set(jwk, key);
  }
  return key;
}
