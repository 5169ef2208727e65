import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppUrl, RENDERER_CSP, resolveRendererPath, serveRendererFile } from './renderer-files';

const root = mkdtempSync(path.join(tmpdir(), 'siberia-renderer-'));
mkdirSync(path.join(root, 'assets'));
writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
writeFileSync(path.join(root, 'assets', 'app.js'), 'void 0');
writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'no');

describe('renderer files (app:// and the test host)', () => {
  it('serves files under the root with their type and the strict CSP', async () => {
    const index = await serveRendererFile(root, '/');
    expect(index).toMatchObject({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(index.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).toContain("script-src 'self'");
    // WebAssembly may compile ('wasm-unsafe-eval'); JavaScript's eval may not.
    expect(RENDERER_CSP).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(RENDERER_CSP).not.toContain("'unsafe-eval'");
    expect((await serveRendererFile(root, '/assets/app.js')).headers['content-type']).toContain('javascript');
  });

  it('answers every path, found or not, with the headers that make the page cross-origin isolated', async () => {
    for (const p of ['/', '/assets/app.js', '/missing.js', '/../secret.txt']) {
      const { headers } = await serveRendererFile(root, p);
      expect(headers['cross-origin-opener-policy'], p).toBe('same-origin');
      expect(headers['cross-origin-embedder-policy'], p).toBe('require-corp');
      expect(headers['cross-origin-resource-policy'], p).toBe('same-origin');
    }
  });

  it('is the one policy: the page itself declares none that could disagree with it', () => {
    // A meta policy is enforced on top of the header, so a stricter one (it once refused blob: images
    // and fetches) silently breaks what the header allows.
    const page = readFileSync(path.join(import.meta.dirname, '..', '..', 'renderer', 'index.html'), 'utf8');
    expect(page).not.toMatch(/content-security-policy/i);
    for (const need of [
      "worker-src 'self' blob:",
      "media-src 'self' blob:",
      "img-src 'self' data: blob:",
      "connect-src 'self' blob: data:",
    ])
      expect(RENDERER_CSP).toContain(need);
  });

  it('refuses paths that leave the root, folders, missing files and malformed escapes', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%00',
      '/%E0%A4%A',
      '/assets',
    ])
      expect((await serveRendererFile(root, p)).status, p).toBe(404);
    expect(resolveRendererPath(root, '/../secret.txt')).toBeNull();
  });

  it('tells our origin from anything else', () => {
    expect(isAppUrl('app://siberia/index.html')).toBe(true);
    expect(isAppUrl('app://siberia.evil/index.html')).toBe(false);
    expect(isAppUrl('https://checkout.stripe.com/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('nonsense')).toBe(false);
  });
});
