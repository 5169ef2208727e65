// `npm run build:electron`: main and preload bundles for Electron, into dist/electron (or --outdir).
// Main is CommonJS for Node with electron and keytar left to require() at run time (dynamic imports
// become require too, so a packaged app resolves keytar inside app.asar). The preload gets the
// bridge's names from the contract's table here, at build time, instead of bundling the schemas.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bridgeNames } from '../contracts/bridge';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist/electron' } } });
const outdir = path.resolve(values.outdir as string);

await Promise.all([
  build({
    entryPoints: ['electron/main/index.ts'],
    outfile: path.join(outdir, 'main.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['electron', 'keytar'],
    supported: { 'dynamic-import': false },
    logLevel: 'warning',
  }),
  build({
    entryPoints: ['electron/preload/index.ts'],
    outfile: path.join(outdir, 'preload.cjs'),
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'cjs',
    external: ['electron'],
    define: { SIBERIA_BRIDGE_NAMES: JSON.stringify(bridgeNames) },
    logLevel: 'warning',
  }),
]);
