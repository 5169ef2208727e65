import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { RENDERER_DIR } from './harness';

/** The preview's mix worklet as the app ships it (the Vite build's own file). */
export function builtMixWorklet(): string {
  const assets = path.join(RENDERER_DIR, 'assets');
  const name = existsSync(assets)
    ? readdirSync(assets).find((f) => /^mix\.worklet-.*\.js$/.test(f))
    : undefined;
  if (!name) throw new Error(`No mix worklet in ${assets}: run "npm run build" first.`);
  return readFileSync(path.join(assets, name), 'utf8');
}

/**
 * A blank page in a secure context (an AudioWorklet needs one: a page on localhost is, about:blank
 * is not), with a bundled test script on it.
 */
export async function securePage(browser: Browser, title: string, script: string): Promise<Page> {
  const page = await browser.newPage();
  const url = `http://localhost/${encodeURIComponent(title)}`;
  await page.route(url, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>${title}</title>` }),
  );
  await page.goto(url);
  await page.addScriptTag({ content: script });
  return page;
}
