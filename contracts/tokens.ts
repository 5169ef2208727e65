import { z } from 'zod';
import { Feature, Plan, UsageCounter, UsageKind } from './plan';

export const ENTITLEMENT_TYP = 'siberia-entitlement+jwt';
export const GRANT_TYP = 'siberia-grant+jwt';
export const TOKEN_AUDIENCE = 'siberia-mix-desktop';
export const TOKEN_ISSUER = 'siberia-mix-server';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * base64url as RFC 7515 writes it: no padding, no stray characters, and unused trailing bits zero.
 * Decoders forgive all three, so one signature has many spellings; a token is believed only in the
 * one its signer wrote (`sig=` or `sig ` must not verify).
 */
export function isCanonicalBase64url(s: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return false;
  const last = B64URL.indexOf(s.at(-1) ?? 'A');
  if (s.length % 4 === 2) return (last & 0x0f) === 0;
  if (s.length % 4 === 3) return (last & 0x03) === 0;
  return true;
}

/** A compact JWS (header.payload.signature), each part canonical base64url. */
export function isCanonicalJws(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts.every((p) => p.length > 0 && isCanonicalBase64url(p));
}

const epochSeconds = z.number().int().min(0);
export const DeviceId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'device id: letters, digits, - and _ only');
export type DeviceId = z.infer<typeof DeviceId>;

/** Claims of the entitlement token (JWT, EdDSA/Ed25519, header typ ENTITLEMENT_TYP and a kid). */
export const EntitlementClaims = z.object({
  iss: z.literal(TOKEN_ISSUER),
  aud: z.literal(TOKEN_AUDIENCE),
  sub: z.string().min(1),
  plan: Plan,
  features: z.array(Feature),
  device: DeviceId,
  /** End of the paid period (epoch seconds), or null without a subscription. */
  periodEnd: epochSeconds.nullable(),
  quota: z.object({
    period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
    exports: UsageCounter,
    masters: UsageCounter,
    /** Epoch seconds of the next UTC month's start. */
    resetAt: epochSeconds,
  }),
  /**
   * What the app may do while the server cannot be reached: this device's share of what the month
   * has left (the shares of all of a musician's devices add up to no more than that).
   */
  offline: z.object({
    until: epochSeconds,
    exports: z.number().int().min(0),
    masters: z.number().int().min(0),
  }),
  iat: epochSeconds,
  exp: epochSeconds,
});
export type EntitlementClaims = z.infer<typeof EntitlementClaims>;

/**
 * Claims of a usage grant: a reservation (jti) of one unit of one kind, for one user and device,
 * until `exp` (GRANT_TTL_SECONDS after it was made or renewed).
 */
export const GrantClaims = z.object({
  iss: z.literal(TOKEN_ISSUER),
  aud: z.literal(TOKEN_AUDIENCE),
  jti: z.string().min(8),
  sub: z.string().min(1),
  kind: UsageKind,
  device: DeviceId,
  iat: epochSeconds,
  exp: epochSeconds,
});
export type GrantClaims = z.infer<typeof GrantClaims>;

/** JWKS as served at /.well-known/jwks.json (OKP / Ed25519 public keys only). */
export const Jwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(1),
  kid: z.string().min(1),
  alg: z.literal('EdDSA').optional(),
  use: z.literal('sig').optional(),
});
export const Jwks = z.object({ keys: z.array(Jwk) });
export type Jwks = z.infer<typeof Jwks>;
