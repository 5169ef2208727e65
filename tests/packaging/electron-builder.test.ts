// electron-builder.yml checked with electron-builder's own schema validation, plus what Siberia Mix
// needs of it: the siberiamix:// scheme on every platform and the hardening fuses.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_SCHEME } from '../../contracts/deeplink';

const require = createRequire(import.meta.url);
type Validate = (config: unknown, logger: unknown) => Promise<void>;
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration: Validate;
};
const { DebugLogger } = require('builder-util/out/DebugLogger') as {
  DebugLogger: new (enabled: boolean) => unknown;
};

type BuilderConfig = {
  appId: string;
  productName: string;
  protocols: Array<{ name: string; schemes: string[] }>;
  electronFuses: Record<string, boolean>;
  linux: {
    target: string[];
    syncDesktopName: boolean;
    category: string;
    mimeTypes?: string[];
    desktop?: unknown;
  };
  mac: { target: string[]; entitlements: string; hardenedRuntime: boolean; notarize: boolean };
  win: { target: string[] };
  asar: boolean;
};
const config = load(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is refused by that validation when it carries an unknown key', async () => {
    await expect(
      validateConfiguration({ ...config, protocol: 'typo' }, new DebugLogger(false)),
    ).rejects.toThrow(/protocol/);
  });

  it('registers the siberiamix scheme for every platform', () => {
    expect(config.appId).toBe('com.siberiamix.app');
    expect(config.productName).toBe('Siberia Mix');
    // One place names the scheme: macOS's CFBundleURLTypes and Linux's MimeType both come from it
    // (a second list under linux made the desktop entry name it twice).
    expect(config.protocols.flatMap((p) => p.schemes)).toEqual([DEFAULT_APP_SCHEME]);
    expect(config.linux.mimeTypes).toBeUndefined();
    expect(config.linux.desktop).toBeUndefined();
    expect(config.linux.syncDesktopName).toBe(true);
    expect(config.linux.category).toBe('AudioVideo;Audio;');
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: false });
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { desktopName?: string };
    expect(pkg.desktopName).toBe('siberiamix.desktop');
  });

  it('builds deb, AppImage, dmg and nsis, in an asar, with the hardening fuses', () => {
    expect(config.linux.target).toEqual(['deb', 'AppImage']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(existsSync(config.mac.entitlements)).toBe(true);
    expect(existsSync('build/icon.png')).toBe(true);
  });
});
