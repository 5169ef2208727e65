// Files for the command line, read and written a block at a time: no file is ever read whole, so
// nothing is limited by the 2 GiB that readFile allows, and memory does not grow with length.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { ByteSource } from '../io/pcm';
import { ByteScratch } from '../io/scratch';
import type { SeriesStore } from '../master/chunk-series';

/** A file as a ByteSource. Each read reuses one buffer: its bytes are valid until the next read. */
export function openBytes(file: string): ByteSource & { close(): void } {
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size;
  const scratch = new ByteScratch();
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buffer = scratch.take(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buffer, got, n - got, offset + got);
        if (r === 0) break;
        got += r;
      }
      // A file that shrank: what was read, the buffer's bytes as they are.
      return got === n ? buffer : scratch.take(got);
    },
    close: () => closeSync(fd),
  };
}

/**
 * Writes pieces to a file in order, synchronously (each piece may be reused once written); `patch`
 * writes over bytes already written (a header whose totals are known at the end); `rewind` empties
 * the file to write it again from the start.
 */
export function openWriter(file: string): {
  write(bytes: Uint8Array): void;
  patch(offset: number, bytes: Uint8Array): void;
  rewind(): void;
  close(): void;
} {
  const fd = openSync(file, 'w');
  let position = 0;
  return {
    write(bytes) {
      let done = 0;
      while (done < bytes.byteLength)
        done += writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
      position += done;
    },
    rewind() {
      ftruncateSync(fd, 0);
      position = 0;
    },
    patch(offset, bytes) {
      let done = 0;
      while (done < bytes.byteLength)
        done += writeSync(fd, bytes, done, bytes.byteLength - done, offset + done);
    },
    close: () => closeSync(fd),
  };
}

/** Values per page of a file series: 64 kB written or read at a time. */
const PAGE = 16384;

/**
 * The master's numbers per chunk kept in files under `dir` (one per series), a page at a time, so
 * that a master's memory stays the same whatever the length of the song. Each reader has its own
 * page; `close` closes the files (the caller removes `dir`).
 */
export function fileSeriesStore(dir: string): { store: SeriesStore; close(): void } {
  const fds: number[] = [];
  const store: SeriesStore = (length) => {
    const fd = openSync(path.join(dir, `series-${fds.length}.f32`), 'w+');
    fds.push(fd);
    const page = new Float32Array(PAGE);
    let filled = 0;
    let written = 0;
    const flush = () => {
      const bytes = new Uint8Array(page.buffer, 0, filled * 4);
      let done = 0;
      while (done < bytes.byteLength)
        done += writeSync(fd, bytes, done, bytes.byteLength - done, written * 4 + done);
      written += filled;
      filled = 0;
    };
    return {
      length,
      push(value) {
        page[filled++] = value;
        if (filled === PAGE) flush();
      },
      read() {
        if (filled > 0) flush();
        const mine = new Float32Array(PAGE);
        const bytes = new Uint8Array(mine.buffer);
        let at = 0;
        let end = 0;
        let k = 0;
        return () => {
          if (k === end) {
            const n = Math.min(PAGE, written - at);
            let got = 0;
            while (got < n * 4) {
              const r = readSync(fd, bytes, got, n * 4 - got, at * 4 + got);
              if (r === 0) throw new Error('A master series file ended early.');
              got += r;
            }
            k = 0;
            end = n;
            at += n;
          }
          return mine[k++] as number;
        };
      },
    };
  };
  return {
    store,
    close() {
      for (const fd of fds.splice(0)) closeSync(fd);
    },
  };
}
