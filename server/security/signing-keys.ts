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

/**
 * The Ed25519 key that signs entitlement tokens and grants: ENTITLEMENT_PRIVATE_KEY (PKCS#8 PEM), or
 * one generated once and kept in DATA_DIR with mode 0600. Its kid is the public key's thumbprint.
 */
export async function loadSigningKey(configured: string | null, dataDir: string): Promise<SigningKey> {
  let pem = configured?.replace(/\\n/g, '\n') ?? null;
  const file = path.join(dataDir, 'entitlement-key.pem');
  if (!pem && existsSync(file)) pem = readFileSync(file, 'utf8');
  if (!pem) {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    pem = await exportPKCS8(privateKey);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, pem, { mode: 0o600 });
  }
  const privateKey = await importPKCS8(pem, 'EdDSA', { extractable: true });
  const { d: _private, ...publicJwk } = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' } };
}

export function jwks(keys: readonly SigningKey[]): Jwks {
  return { keys: keys.map((k) => k.publicJwk as Jwks['keys'][number]) };
}
