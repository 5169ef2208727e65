import type { Configuration } from 'electron-builder';

/**
 * macOS signing and notarisation from the environment, off without it: electron-builder signs with
 * the certificate in CSC_LINK (or the keychain identity CSC_NAME) and notarises with an app-specific
 * password (APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID) or an App Store Connect API key
 * (APPLE_API_KEY, APPLE_API_KEY_ID, APPLE_API_ISSUER, APPLE_TEAM_ID). Without a certificate the app
 * is left unsigned rather than signed with whatever identity the machine happens to have.
 */
export function macSigningFromEnv(env: NodeJS.ProcessEnv): NonNullable<Configuration['mac']> {
  const set = (...names: string[]) => names.every((n) => Boolean(env[n]?.trim()));
  const notarize =
    set('APPLE_TEAM_ID') &&
    (set('APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD') ||
      set('APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'));
  const certificate = set('CSC_LINK') || set('CSC_NAME');
  return { notarize: notarize && certificate, ...(certificate ? {} : { identity: null }) };
}
