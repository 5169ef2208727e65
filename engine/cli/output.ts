import { writeSync } from 'node:fs';

/**
 * Writes all of `text` to stdout (1) or stderr (2) before returning. Not process.stdout: its first
 * use loads Node's streams, 5 ms of a start-up that is 30 ms of the engine's own. A pipe left
 * non-blocking by the reader can refuse a write for a moment (EAGAIN); the rest is tried again.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
