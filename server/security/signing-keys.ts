import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { Jwks } from '../../contracts/tokens';

export type SigningKey = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

/** A signing key from its PKCS#8 PEM; its kid is the public key's thumbprint. */
export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  const privateKey = await importPKCS8(pem, 'EdDSA', { extractable: true });
  const { d: _private, ...publicJwk } = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' } };
}

/** A new Ed25519 key, as PKCS#8 PEM. */
export async function newKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return exportPKCS8(privateKey);
}

/**
 * The key kept in DATA_DIR (mode 0600), made there once if there is none: the first key of a server
 * without ENTITLEMENT_PRIVATE_KEY. Later keys come from `npm run admin -- rotate-key` (keyring.ts).
 */
export async function dataDirKeyPem(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'entitlement-key.pem');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const pem = await newKeyPem();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, pem, { mode: 0o600 });
  return pem;
}

export function jwks(keys: readonly SigningKey[]): Jwks {
  return { keys: keys.map((k) => k.publicJwk as Jwks['keys'][number]) };
}
