import { build } from 'esbuild';

const cache = new Map<string, Promise<string>>();

/** A TypeScript module bundled into one script a Chromium page can run (once per test process). */
export function bundlePageScript(entry: string): Promise<string> {
  let script = cache.get(entry);
  if (!script) {
    script = build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'silent',
    }).then((r) => r.outputFiles[0]?.text ?? '');
    cache.set(entry, script);
  }
  return script;
}
