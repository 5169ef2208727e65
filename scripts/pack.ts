// `npm run pack`: the unpacked app (electron-builder --dir) in release/<platform>-unpacked, built from
// the renderer, main and preload bundles, with the fuses flipped and, on Linux, the desktop entry the
// deb and AppImage carry written beside it (release/linux-unpacked/siberiamix.desktop) for checking.
// Where the Electron binary is missing (npm installs Electron without it; this machine cannot fetch
// it), a stand-in Electron directory is used: an executable carrying Electron's fuse wire, so the
// asar, the fuse flipping and the desktop entry really run; that app does not start, and keytar is
// not rebuilt for Electron (its headers cannot be fetched either).
// `npm run dist` builds the installers for this platform (deb and AppImage, dmg, nsis), which needs
// the real Electron and the network. macOS signing and notarisation turn on from the environment.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type AfterPackContext, build, type Configuration, Platform } from 'electron-builder';
import { electronBinary } from './electron-binary';
import { macSigningFromEnv } from './mac-signing';

const { values } = parseArgs({
  options: {
    installers: { type: 'boolean', default: false },
    // The renderer in dist/renderer as it is (the test suite builds it once for every suite).
    'prebuilt-renderer': { type: 'boolean', default: false },
  },
});
const root = process.cwd();
const started = Date.now();

/** Electron's fuse wire as shipped (fuses V1: version 1, eight fuses, '1' on and '0' off). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const SHIPPED_WIRE = '10110001';

function standInElectron(): string {
  const dir = path.join(root, 'release', 'electron-stand-in');
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const exe = path.join(dir, 'electron');
  writeFileSync(
    exe,
    Buffer.concat([
      Buffer.from(
        '#!/bin/sh\necho "Siberia Mix was packaged with a stand-in for Electron; it cannot run." >&2\nexit 1\n# ',
      ),
      Buffer.from(FUSE_SENTINEL),
      Buffer.from([1, SHIPPED_WIRE.length]),
      Buffer.from(SHIPPED_WIRE),
      Buffer.from('\n'),
    ]),
  );
  chmodSync(exe, 0o755);
  writeFileSync(
    path.join(dir, 'version'),
    JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version,
  );
  return dir;
}

const builds = values['prebuilt-renderer']
  ? [['build:electron']]
  : [['build', '--', '--logLevel', 'warn'], ['build:electron']];
for (const [script, ...args] of builds) {
  const run = spawnSync('npm', ['run', '--silent', script as string, ...args], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) {
  console.error('No renderer build in dist/renderer: run `npm run build` first.');
  process.exit(1);
}

const binary = electronBinary(root);
if (values.installers && !binary) {
  console.error(
    'Installers need the Electron binary: run `npx install-electron` on a machine with internet access.',
  );
  process.exit(1);
}
const overrides: Configuration = binary ? {} : { electronDist: standInElectron(), npmRebuild: false };
if (!binary) console.log('The Electron binary is missing: packaging with a stand-in Electron directory.');

await build({
  targets: values.installers ? undefined : Platform.current().createTarget('dir'),
  publish: 'never',
  // electron-builder reads electron-builder.yml itself; these are merged over it.
  config: {
    ...overrides,
    mac: macSigningFromEnv(process.env),
    async afterPack(context: AfterPackContext) {
      if (context.electronPlatformName !== 'linux') return;
      // The deb and AppImage targets write their entry with this same helper.
      const { LinuxTargetHelper } = await import('app-builder-lib/out/targets/LinuxTargetHelper.js');
      const packager = context.packager as ConstructorParameters<typeof LinuxTargetHelper>[0];
      const helper = new LinuxTargetHelper(packager);
      await helper.writeDesktopEntry(
        packager.platformSpecificBuildOptions,
        undefined,
        path.join(context.appOutDir, `${helper.getDesktopFileName()}.desktop`),
      );
    },
  },
});
console.log(`Packed in ${((Date.now() - started) / 1000).toFixed(1)} s into ${path.join(root, 'release')}`);
