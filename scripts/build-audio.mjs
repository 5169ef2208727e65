// Builds the engine's command line (engine/cli/main.ts) into dist/audio/ for `npm run audio`
// (scripts/audio.cjs calls it when the bundle is missing or stale). Plain JavaScript: the launcher
// must not need a compiler.
//
// CommonJS, not ES modules: Node's ES module loader (its URL resolution, fs/promises, one compile per
// module) cost about 20 M instructions of every start, a third of the engine's own share.
// esbuild splits only ES modules, so the split is done here: every import() in the engine or its
// packages becomes a bundle of its own in dist/audio/lazy/, built first and named by its content, and
// the bundle that imports it require()s that file when the import() runs. A start then parses the
// command line's own code (tens of kB) and nothing of the codecs or zod until a command needs them.
//
// Each bundle carries its own copy of what it imports from the engine. Nothing may be shared
// through module state across them: an error crossing a bundle is recognised by its name
// (isAudioFormatError), not by instanceof.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The file listing what the bundle was built from (relative to the root), one per line. */
export const INPUTS_FILE = 'inputs.txt';

/** Lazy bundles no build refers to are removed once this old (a command started before may need them). */
const KEEP_UNUSED_MS = 60 * 60 * 1000;

const SKIP = Symbol('resolving for the lazy split');

/**
 * Builds dist/audio/{cli.cjs, peak-thread.cjs, lazy/*.cjs, inputs.txt} under `root`. Files are
 * written beside and renamed into place, cli.cjs last: a command starting meanwhile loads either
 * build whole, and two builds at once write the same files.
 */
export async function buildAudio(root = ROOT) {
  const out = path.join(root, 'dist', 'audio');
  const lazyDir = path.join(out, 'lazy');
  mkdirSync(lazyDir, { recursive: true });
  const inputs = new Set(['scripts/build-audio.mjs', 'scripts/audio.cjs', 'package-lock.json']);
  /** A lazily imported module's bundle: its file name in lazy/, built once per build. */
  const lazy = new Map();
  const written = new Set();

  const place = (target, contents) => {
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, contents);
    renameSync(temp, target);
  };

  /**
   * One bundle of `entry`; its import()s are bundles of their own, required from `lazyPrefix`.
   * `chain`: the bundles whose import() led here, to refuse a cycle rather than wait on it forever.
   */
  async function bundle(entry, lazyPrefix, chain = []) {
    let sites = 0;
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // import() of another bundle becomes Promise.resolve().then(() => require(…)).
      supported: { 'dynamic-import': false },
      minify: true,
      write: false,
      metafile: true,
      outdir: out,
      absWorkingDir: root,
      logLevel: 'warning',
      // The peak thread's script is found beside the command line's.
      define: { 'import.meta.url': '__siberia_bundle_url' },
      banner: {
        js: '"use strict";var __siberia_bundle_url=require("node:url").pathToFileURL(__filename).href;',
      },
      plugins: [
        {
          name: 'lazy-split',
          setup(b) {
            b.onResolve({ filter: /.*/ }, async (args) => {
              if (args.kind !== 'dynamic-import' || args.pluginData === SKIP) return undefined;
              const resolved = await b.resolve(args.path, {
                kind: args.kind,
                importer: args.importer,
                resolveDir: args.resolveDir,
                pluginData: SKIP,
              });
              if (resolved.errors.length > 0 || resolved.external) return undefined;
              if (resolved.path === entry || chain.includes(resolved.path))
                throw new Error(`${resolved.path} is reached again through import(): cannot split a cycle`);
              sites += 1;
              return {
                path: lazyPrefix + (await lazyBundle(resolved.path, [...chain, entry])),
                external: true,
              };
            });
          },
        },
      ],
    });
    for (const input of Object.keys(result.metafile.inputs))
      if (!input.startsWith('node_modules/') && !input.includes(':')) inputs.add(input);
    // The launcher compiles the command line with vm.Script, which has no import(): every one must
    // have become a require() of a lazy bundle.
    for (const { imports } of Object.values(result.metafile.outputs))
      for (const record of imports)
        if (record.kind === 'dynamic-import' && !record.path.endsWith('.cjs'))
          throw new Error(`${entry}: import("${record.path}") is left in its bundle`);
    const code = interopAsEsModule(result.outputFiles[0].text, sites, entry);
    return code;
  }

  function lazyBundle(file, chain) {
    const known = lazy.get(file);
    if (known) return known;
    const name = path
      .relative(root, file)
      .replace(/^node_modules\//, '')
      .replace(/\.[cm]?[jt]s$/, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
    const job = bundle(file, './', chain).then((contents) => {
      const hash = createHash('sha256').update(contents).digest('hex').slice(0, 10);
      const fileName = `${name}-${hash}.cjs`;
      const target = path.join(lazyDir, fileName);
      if (!existsSync(target)) place(target, contents);
      written.add(fileName);
      return fileName;
    });
    lazy.set(file, job);
    return job;
  }

  const cli = await bundle(path.join(root, 'engine', 'cli', 'main.ts'), './lazy/');
  const thread = await bundle(path.join(root, 'engine', 'cli', 'peak-thread-main.ts'), './lazy/');
  place(path.join(out, 'peak-thread.cjs'), thread);
  place(path.join(out, INPUTS_FILE), `${[...inputs].sort().join('\n')}\n`);
  place(path.join(out, 'cli.cjs'), cli);
  // The previous bundle's code cache (scripts/audio.cjs writes the new one after a successful run).
  for (const fileName of readdirSync(out))
    if (fileName.endsWith('.cache')) rmSync(path.join(out, fileName), { force: true });

  const now = Date.now();
  for (const fileName of readdirSync(lazyDir)) {
    if (written.has(fileName)) continue;
    const full = path.join(lazyDir, fileName);
    if (now - statSync(full).mtimeMs > KEEP_UNUSED_MS) rmSync(full, { force: true });
  }
  return { out, inputs: [...inputs], lazy: [...written] };
}

/**
 * esbuild, bundling ES modules of a `"type": "module"` package for Node, turns import() of another
 * file into `__toESM(require(file), 1)`: Node's rule for importing CommonJS, under which `default`
 * is the whole module.exports. Each lazy bundle is an ES module compiled to CommonJS (marked
 * __esModule) or a CommonJS package, so the rule that gives back what import() gave before the split
 * is the other one (`, 1` dropped): the module's own default for the first, module.exports for the
 * second. Every require() of a lazy bundle must have been found here.
 */
function interopAsEsModule(code, sites, entry) {
  const lazyRequire = /\(require\("\.\/(?:lazy\/)?[\w.-]+\.cjs"\)/g;
  const total = code.match(lazyRequire)?.length ?? 0;
  let found = 0;
  const fixed = code.replace(/(\(require\("\.\/(?:lazy\/)?[\w.-]+\.cjs"\)),\s*1\)/g, (_, call) => {
    found += 1;
    return `${call})`;
  });
  if (found !== total || (sites > 0 && found === 0))
    throw new Error(
      `${entry}: ${found} of ${total} lazy bundles' require() adjusted (esbuild's output changed?)`,
    );
  return fixed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildAudio();
}
