// What the memory benchmarks read of Chromium (bench/renderer-memory.ts, bench/export-memory.ts): the
// proportional set size of the renderer processes this Node process started (Linux /proc; it counts
// everything a page holds: its heap, its Workers, its worklet's thread, ArrayBuffers, AudioBuffers),
// a garbage collection everywhere before a reading, and the renderer build served as main serves it.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createServer } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { serveRendererFile } from '../electron/main/renderer-files';
import { encodeWav } from '../engine/io/wav';

/** Every process under `root` (this Node process: Chromium is its child). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: the command may hold spaces and parentheses, the last ')' ends it.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === root) {
        found.push(pid);
        break;
      }
  }
  return found;
}

/** The renderer processes this Node process started (a scan of /proc: a few ms). */
export function rendererPids(): number[] {
  return descendants(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
    } catch {
      return false; // Gone meanwhile.
    }
  });
}

/** Summed PSS of these processes, bytes (one gone meanwhile counts nothing). */
export function pssOf(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      total += Number(pss?.[1] ?? 0) * 1024;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM…), 0 for a process gone meanwhile. */
function status(pid: number, field: string): number {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(kb?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * The kernel's own peak of each process's resident set (VmHWM), set back to its present size: a
 * reading later gives the true peak since then, however brief, where readings at intervals may
 * miss one. RSS counts shared pages whole (PSS shares them out): a check on a PSS delta, not the
 * same figure.
 */
export function resetPeakRss(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // Gone meanwhile.
    }
  }
}

/** Each process's resident set now (VmRSS) and at its peak since the last reset (VmHWM), bytes. */
export const rssOf = (pids: readonly number[]) =>
  pids.map((pid) => ({ pid, rss: status(pid, 'VmRSS'), peak: status(pid, 'VmHWM') }));

/** Summed PSS of the renderer processes this Node process started, bytes. */
export const rendererPss = (): number => pssOf(rendererPids());

/**
 * Garbage collected in the page and its Workers, then a critical memory pressure signal: Chromium
 * collects in every isolate (the worklet's too) and its allocator hands freed pages back, so the PSS
 * reads what is held rather than what was once allocated. Needs `--js-flags=--expose-gc`.
 */
export async function collectGarbage(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  for (let i = 0; i < 2; i++) {
    await page.evaluate('gc()');
    for (const worker of page.workers()) await worker.evaluate('gc()').catch(() => undefined);
    await cdp.send('Memory.simulatePressureNotification', { level: 'critical' });
    await page.waitForTimeout(500);
  }
  await cdp.detach();
}

/** The renderer build in `dir` with main's answers, its isolation headers left out unless `isolation`. */
export async function serve(dir: string, isolation: boolean) {
  const server = createServer(async (req, res) => {
    const r = await serveRendererFile(dir, new URL(req.url ?? '/', 'http://x').pathname);
    const headers = { ...r.headers };
    if (!isolation) {
      delete headers['cross-origin-embedder-policy'];
      delete headers['cross-origin-resource-policy'];
    }
    res.writeHead(r.status, headers).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A browser memory benchmark's result as the three of them write it (bench/results/<name>.json):
 * what it measured, and the machine it ran on (shared: its load says how far times can be trusted).
 */
export function withMachine<T extends object>(result: T) {
  return {
    ...result,
    machine: {
      cpus: os.cpus().length,
      loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
      chromium: '/usr/bin/chromium (headless)',
    },
    measuredAt: new Date().toISOString(),
  };
}

/** Prints the result and writes it to bench/results/<name>.json. */
export function saveResult(name: string, result: object, write = true): void {
  console.log(JSON.stringify(result, null, 2));
  if (!write) return;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Stereo 24-bit stems on disk, as a file picker hands them: tones with a slow swell, so a master has
 * loudness to measure and a limiter to work. `name(i)` names stem i (from 0).
 */
export function toneStems(
  dir: string,
  {
    minutes,
    stems,
    rate,
    name,
  }: { minutes: number; stems: number; rate: number; name: (i: number) => string },
): string[] {
  const frames = Math.round(minutes * 60 * rate);
  return Array.from({ length: stems }, (_, i) => {
    const step = (2 * Math.PI * 110 * (i + 1)) / rate;
    const channels = [0, 1].map((c) => {
      const x = new Float32Array(frames);
      for (let f = 0; f < frames; f++)
        x[f] = (0.15 + 0.1 * Math.sin(f / rate)) * Math.sin(step * f * (1 + c / 2));
      return x;
    });
    const file = path.join(dir, name(i));
    writeFileSync(file, encodeWav({ sampleRate: rate, channels }, { format: 'wav24' }));
    return file;
  });
}
