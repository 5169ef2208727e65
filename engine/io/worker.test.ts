import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { launchChromium } from '../../tests/e2e/chromium';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-codec-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codecs in a Web Worker (Chromium)', () => {
  it('encodes WAV/FLAC/MP3 at 44.1 kHz and decodes them and an Ogg Vorbis file back, in a module Worker, and runs the SIMD true-peak scan there', async () => {
    // Bundled for the browser, WebAssembly inlined, as the app's Worker bundle holds them.
    await build({
      entryPoints: [path.resolve('engine/test-support/codec-worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: path.join(dir, 'worker.js'),
      logLevel: 'warning',
    });
    const ogg = path.join(dir, 'tone.ogg');
    const made = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=2:sample_rate=44100',
      '-ac',
      '2',
      '-c:a',
      'libvorbis',
      ogg,
    ]);
    expect(made.status).toBe(0);
    const code = readFileSync(path.join(dir, 'worker.js'));
    const server = http
      .createServer((req, res) => {
        const js = req.url === '/worker.js';
        res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
        res.end(js ? code : '<!doctype html><title>worker</title>');
      })
      .listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const result = (await page.evaluate(
        async (oggBytes: number[]) => {
          const worker = new Worker('/worker.js', { type: 'module' });
          return await new Promise<unknown>((resolve) => {
            worker.onmessage = (e) => resolve(e.data);
            worker.onerror = (e) => resolve({ ok: false, error: String(e.message) });
            worker.postMessage({ ogg: new Uint8Array(oggBytes) });
          });
        },
        Array.from(readFileSync(ogg)),
      )) as {
        ok: boolean;
        error?: string;
        results: Record<string, { rate: number; frames: number; read: number; peak: number }>;
        truePeak: { simd: boolean; same: boolean; peak: number };
      };
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(true);
      for (const format of ['wav16', 'flac16', 'flac24', 'mp3-320', 'mp3-v0']) {
        const r = result.results[format];
        expect(r, format).toMatchObject({ rate: 44100, frames: 44100, read: 44100 });
        expect(Math.abs((r?.peak as number) - 0.5), format).toBeLessThan(0.01);
      }
      expect(result.results.ogg).toMatchObject({ rate: 44100, frames: 88200, read: 88200 });
      expect(result.truePeak).toMatchObject({ simd: true, same: true });
      expect(result.truePeak.peak).toBeGreaterThan(0.9);
    } finally {
      await browser.close();
      server.close();
    }
  }, 180_000);
});
