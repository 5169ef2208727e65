import { bundlePageScript as bundle } from '../../browser-shell/page-script';

const cache = new Map<string, Promise<string>>();

/** A TypeScript module bundled into one script a Chromium page can run (once per test process). */
export function bundlePageScript(entry: string): Promise<string> {
  let script = cache.get(entry);
  if (!script) {
    script = bundle(entry);
    cache.set(entry, script);
  }
  return script;
}
