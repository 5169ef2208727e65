// `npm run audio`: runs the engine's command line from its bundle (dist/audio/cli.cjs), built by
// scripts/build-audio.mjs when missing or older than anything it was built from. This file runs at
// every start and the engine is meant to start about as fast as Node itself, so it is CommonJS (no ES
// module loader) and loads nothing but Node's fs, module and vm before the bundle. Plain JavaScript:
// the launcher needs no compiler.
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const root = path.dirname(__dirname);
const out = path.join(root, 'dist', 'audio');
const bundle = path.join(out, 'cli.cjs');

/** The bundle's stat, or null when it is missing or anything it was built from (inputs.txt) is newer or gone. */
function freshBundle() {
  let built;
  let inputs;
  try {
    built = statSync(bundle);
    inputs = readFileSync(path.join(out, 'inputs.txt'), 'latin1').split('\n');
  } catch {
    return null;
  }
  for (const input of inputs) {
    if (input === '') continue;
    const stat = statSync(path.join(root, input), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > built.mtimeMs) return null;
  }
  return built;
}

/**
 * Runs the bundle as Node would require it, but compiled with V8's code cache: parsing and compiling
 * the command line's 70 kB was a third of the engine's start-up. The first successful run of a build
 * writes the cache (with every function that run compiled); it is named by the bundle's time and size,
 * since V8 itself checks only the source's length, and a cache V8 rejects (another Node, other
 * flags) is written again. The cache is an optimisation: failing to read or write it changes nothing.
 */
function run(stat) {
  const cacheFile = path.join(out, `cli-${Math.round(stat.mtimeMs)}-${stat.size}.cache`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.on('exit', (code) => {
      // A run that failed (a missing file, a bad flag) compiled little of the command line: the
      // next run that succeeds writes the cache instead.
      if (code !== 0) return;
      try {
        const temp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cacheFile);
      } catch {
        // A read-only or full disk: the next start compiles again.
      }
    });
  }
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  require.cache[bundle] = mod;
  script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, out);
  mod.loaded = true;
}

const fresh = freshBundle();
if (fresh) {
  run(fresh);
} else {
  import('./build-audio.mjs')
    .then(({ buildAudio }) => buildAudio(root))
    .then(
      () => run(statSync(bundle)),
      (e) => {
        process.stderr.write(`Could not build the command line: ${e instanceof Error ? e.message : e}\n`);
        process.exit(1);
      },
    );
}
