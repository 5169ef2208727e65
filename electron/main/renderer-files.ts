import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The renderer's origin inside the app: a privileged custom scheme, never file://. */
export const APP_PROTOCOL = 'app';
export const APP_HOST = 'siberia';
export const APP_ORIGIN = `${APP_PROTOCOL}://${APP_HOST}`;

/**
 * Strict CSP for the renderer: its own scripts only (no inline, no eval; WebAssembly may compile, for
 * the MP3 encoder and the FLAC/MP3/Ogg decoders), audio and workers from blobs it makes itself, no
 * network of its own — everything outside goes through main. `connect-src data:` because LAME's
 * WebAssembly ships inside its script as a data: URL that the encoder fetches: data never leaves
 * the page that way.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.wasm': 'application/wasm',
};

/** A request path to a file under root, or null when it would leave root. */
export function resolveRendererPath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = path.resolve(root);
  const full = path.resolve(base, relative);
  return full === base || !full.startsWith(base + path.sep) ? null : full;
}

export type RendererResponse = { status: number; headers: Record<string, string>; body: Uint8Array | string };

/** What both the app:// handler and the test host's HTTP server answer for a path. */
export async function serveRendererFile(root: string, pathname: string): Promise<RendererResponse> {
  const headers = {
    'content-security-policy': RENDERER_CSP,
    'x-content-type-options': 'nosniff',
    // With COOP, these make the page, its Workers and worklets cross-origin isolated: decoded
    // sources live once in SharedArrayBuffers that the desk, the engine Worker and the preview's
    // worklet all read. The renderer loads nothing from another origin (the CSP allows none).
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': 'same-origin',
  };
  const file = resolveRendererPath(root, pathname);
  if (!file) return { status: 404, headers: { ...headers, 'content-type': 'text/plain' }, body: 'Not found' };
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    const body = new Uint8Array(await readFile(file));
    const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { status: 200, headers: { ...headers, 'content-type': type }, body };
  } catch {
    return { status: 404, headers: { ...headers, 'content-type': 'text/plain' }, body: 'Not found' };
  }
}

/** Whether a navigation stays on the renderer's own origin (everything else is denied). */
export function isAppUrl(raw: string, origin: string = APP_ORIGIN): boolean {
  try {
    // Custom schemes have an opaque origin ("null") in WHATWG URLs: compare scheme, host and port.
    const url = new URL(raw);
    const ours = new URL(origin);
    return url.protocol === ours.protocol && url.host === ours.host && !url.username && !url.password;
  } catch {
    return false;
  }
}
