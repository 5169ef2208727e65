import type { KeychainPort } from './services/credentials';

/**
 * keytar is an optional native dependency: missing (not built for this platform) means null and the
 * vault falls back to safeStorage. A missing Secret Service shows up later, as a failing call.
 */
export async function loadKeytar(): Promise<KeychainPort | null> {
  try {
    const mod = (await import('keytar')) as { default?: KeychainPort } & KeychainPort;
    const keytar = mod.default ?? mod;
    return typeof keytar.getPassword === 'function' ? keytar : null;
  } catch {
    return null;
  }
}
