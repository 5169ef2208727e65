// `npm run pack` for real: electron-builder --dir with the stand-in Electron directory where the
// binary is missing. What ships is read back: the asar's files and size, the native modules, the
// fuses in the executable, the Linux desktop entry; and the Windows installer's scheme script.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { beforeAll, describe, expect, it } from 'vitest';
import { macSigningFromEnv } from '../../scripts/mac-signing';

/** A fuse's byte in the wire: ASCII '0' off, '1' on. */
const OFF = '0'.charCodeAt(0);
const ON = '1'.charCodeAt(0);
const repo = path.resolve(import.meta.dirname, '..', '..');
const unpacked = path.join(repo, 'release', 'linux-unpacked');
const asarFile = path.join(unpacked, 'resources', 'app.asar');
let packSeconds = 0;

beforeAll(() => {
  const started = Date.now();
  // The suite's renderer build is used as it is (npm test made it); only the bundles are rebuilt.
  const run = spawnSync('npm', ['run', '--silent', 'pack', '--', '--prebuilt-renderer'], {
    cwd: repo,
    encoding: 'utf8',
  });
  packSeconds = (Date.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`npm run pack failed:\n${run.stdout}\n${run.stderr}`);
}, 240_000);

function sizeOf(file: string): number {
  const s = statSync(file);
  return s.isDirectory() ? readdirSync(file).reduce((n, f) => n + sizeOf(path.join(file, f)), 0) : s.size;
}
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

describe('the packaged app', () => {
  it('app.asar holds main, preload, the renderer build, package.json and keytar, nothing else, within 8 MB', () => {
    const files = listPackage(asarFile, { isPack: false }).map((f) => f.split(path.sep).join('/'));
    const outsideRenderer = files.filter((f) => !f.startsWith('/dist/renderer/'));
    expect(outsideRenderer.sort()).toEqual(
      [
        '/dist',
        '/dist/electron',
        '/dist/electron/main.cjs',
        '/dist/electron/preload.cjs',
        '/dist/renderer',
        '/node_modules',
        '/node_modules/keytar',
        '/node_modules/keytar/LICENSE.md',
        '/node_modules/keytar/build',
        '/node_modules/keytar/build/Release',
        '/node_modules/keytar/build/Release/keytar.node',
        '/node_modules/keytar/lib',
        '/node_modules/keytar/lib/keytar.js',
        '/node_modules/keytar/package.json',
        '/package.json',
      ].sort(),
    );
    expect(files).toContain('/dist/renderer/index.html');
    expect(files.some((f) => /^\/dist\/renderer\/assets\/.+\.js$/.test(f))).toBe(true);
    const bytes = sizeOf(asarFile) + sizeOf(`${asarFile}.unpacked`);
    expect(bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    console.info(
      `app.asar + unpacked: ${(bytes / 1024 / 1024).toFixed(2)} MB; npm run pack took ${packSeconds.toFixed(1)} s`,
    );
  });

  it('carries no native code but keytar’s', () => {
    const native = filesUnder(path.join(unpacked, 'resources')).filter((f) => f.endsWith('.node'));
    expect(native.map((f) => path.relative(unpacked, f))).toEqual([
      'resources/app.asar.unpacked/node_modules/keytar/build/Release/keytar.node',
    ]);
  });

  it('the package manifest the app ships asks for nothing at run time but keytar', () => {
    const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.optionalDependencies)).toEqual(['keytar']);
    expect(manifest.main).toBe('dist/electron/main.cjs');
  });

  it('flips the hardening fuses in the executable', async () => {
    const wire = await getCurrentFuseWire(path.join(unpacked, 'siberia-mix'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(OFF);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(OFF);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(OFF);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(OFF);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ON);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ON);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ON);
  });

  it('writes the Linux desktop entry the menus, docks and the siberiamix:// handler need', () => {
    const desktopName = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).desktopName;
    expect(desktopName).toBe('siberiamix.desktop');
    const text = readFileSync(path.join(unpacked, desktopName), 'utf8');
    const entry = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(text.startsWith('[Desktop Entry]\n')).toBe(true);
    expect(entry).toMatchObject({
      Name: 'Siberia Mix',
      Type: 'Application',
      Categories: 'AudioVideo;Audio;',
      MimeType: 'x-scheme-handler/siberiamix;',
      // The window's app id is desktopName without .desktop: the dock matches windows to this entry.
      StartupWMClass: 'siberiamix',
    });
    expect(entry.Exec).toMatch(/^"\/opt\/Siberia Mix\/siberia-mix" %U$/);
    expect(entry.Comment).toMatch(/mix/i);
    expect(entry.Comment).not.toMatch(/server|billing/i);
    expect(text.match(/x-scheme-handler\/siberiamix/g)).toHaveLength(1);
  });
});

describe('the installers’ scheme registration', () => {
  it('Windows: the NSIS include registers siberiamix:// for the user at install and removes it at uninstall', () => {
    const yml = readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8');
    expect(yml).toMatch(/^ {2}include: build\/installer\.nsh$/m);
    const nsh = readFileSync(path.join(repo, 'build', 'installer.nsh'), 'utf8');
    const macro = (name: string) => new RegExp(`!macro ${name}\\n([\\s\\S]*?)!macroend`).exec(nsh)?.[1] ?? '';
    const install = macro('customInstall');
    const key = 'HKCU "Software\\Classes\\siberiamix"';
    expect(install).toContain(`WriteRegStr ${key} "URL Protocol" ""`);
    expect(install).toContain(
      `WriteRegStr HKCU "Software\\Classes\\siberiamix\\shell\\open\\command" "" '"$INSTDIR\\\${APP_EXECUTABLE_FILENAME}" "%1"'`,
    );
    expect(macro('customUnInstall').trim()).toBe(`DeleteRegKey ${key}`);
  });

  it('macOS: signing and notarisation only with credentials from the environment', () => {
    expect(macSigningFromEnv({})).toEqual({ notarize: false, identity: null });
    expect(
      macSigningFromEnv({ APPLE_ID: 'a@b.c', APPLE_APP_SPECIFIC_PASSWORD: 'x', APPLE_TEAM_ID: 'T' }),
    ).toEqual({
      notarize: false,
      identity: null,
    });
    expect(
      macSigningFromEnv({
        CSC_LINK: 'cert.p12',
        APPLE_ID: 'a@b.c',
        APPLE_APP_SPECIFIC_PASSWORD: 'x',
        APPLE_TEAM_ID: 'T',
      }),
    ).toEqual({ notarize: true });
    expect(
      macSigningFromEnv({
        CSC_NAME: 'Developer ID Application: Siberia Mix',
        APPLE_API_KEY: 'key.p8',
        APPLE_API_KEY_ID: 'K',
        APPLE_API_ISSUER: 'I',
        APPLE_TEAM_ID: 'T',
      }),
    ).toEqual({ notarize: true });
    expect(macSigningFromEnv({ CSC_LINK: 'cert.p12' })).toEqual({ notarize: false });
  });
});
