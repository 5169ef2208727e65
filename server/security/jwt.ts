import { type JWTPayload, SignJWT } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../contracts/tokens';
import type { SigningKey } from './signing-keys';

/**
 * Signs a token for the desktop app (an entitlement or a grant) with the Ed25519 key: issuer,
 * audience and the key's kid are always ours; the caller says what kind it is and for whom. Ed25519
 * signatures are deterministic, so the same claims give the same token.
 */
export function signJwt(
  key: SigningKey,
  token: { typ: string; sub: string; jti?: string; claims: JWTPayload; iat: number; exp: number },
): Promise<string> {
  const jwt = new SignJWT(token.claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: token.typ })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(token.sub);
  if (token.jti !== undefined) jwt.setJti(token.jti);
  return jwt.setIssuedAt(token.iat).setExpirationTime(token.exp).sign(key.privateKey);
}
