import { build } from 'esbuild';

/** A TypeScript module bundled into one classic script a page can run, with build-time constants. */
export async function bundlePageScript(entry: string, define: Record<string, string> = {}): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
    define,
  });
  return r.outputFiles[0]?.text ?? '';
}
