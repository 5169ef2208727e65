// `npm run audio`: runs the engine's command line from a bundle (dist/audio/cli.mjs and its chunks), built on
// demand when missing or older than any source it comes from. Compiling TypeScript at every start
// cost a second and a half; the bundle starts in tens of milliseconds. Plain JavaScript on purpose:
// this launcher itself must not need a compiler.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'dist', 'audio');
const bundle = path.join(out, 'cli.mjs');

/**
 * Node's own modules reached by require(), not import: an ES module import of node:fs builds its
 * facade by reading every export, and the lazy fs.ReadStream among them loads all of node:stream
 * (5 ms of every start for nothing the command line uses).
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'builtin'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(full).mtimeMs);
  }
  return latest;
}

function builtAt() {
  try {
    return statSync(bundle).mtimeMs;
  } catch {
    return -1;
  }
}

const sources = Math.max(newest(path.join(root, 'engine')), newest(path.join(root, 'contracts')));
if (builtAt() < sources) {
  // Built beside, then moved into place, the entry last: two runs starting at once never load a
  // half-written bundle. Chunks are named by their content, so a second build writes the same ones.
  const building = path.join(root, 'dist', `audio-${process.pid}.tmp`);
  const { build } = await import('esbuild');
  const built = await build({
    // The command line, and the thread its master computes true peaks on (engine/cli/peak-thread.ts).
    entryPoints: {
      cli: path.join(root, 'engine', 'cli', 'main.ts'),
      'peak-thread': path.join(root, 'engine', 'cli', 'peak-thread-main.ts'),
    },
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    outdir: building,
    entryNames: '[name]',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
    // The WebAssembly decoders' shared code calls require() under Node; an ES module has none.
    // process.getBuiltinModule (Node 20.16) reaches node:module without an ES module import, whose
    // facade cost 5 ms of every start; older Nodes import it.
    banner: {
      js: "const require=(process.getBuiltinModule?process.getBuiltinModule('module'):await import('node:module')).createRequire(import.meta.url);",
    },
    plugins: [builtinsByRequire],
  }).then(
    () => ({ status: 0 }),
    () => ({ status: 1 }),
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
  mkdirSync(path.join(out, 'chunks'), { recursive: true });
  for (const chunk of readdirSync(path.join(building, 'chunks'))) {
    const target = path.join(out, 'chunks', chunk);
    if (!existsSync(target)) renameSync(path.join(building, 'chunks', chunk), target);
  }
  renameSync(path.join(building, 'peak-thread.mjs'), path.join(out, 'peak-thread.mjs'));
  renameSync(path.join(building, 'cli.mjs'), bundle);
  rmSync(building, { recursive: true, force: true });
}
await import(pathToFileURL(bundle).href);
