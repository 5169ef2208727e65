// Files for the command line, read and written a block at a time: no file is ever read whole, so
// nothing is limited by the 2 GiB that readFile allows, and memory does not grow with length.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { ByteSource } from '../io/pcm';

/** A file as a ByteSource. Each read reuses one buffer: its bytes are valid until the next read. */
export function openBytes(file: string): ByteSource & { close(): void } {
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size;
  let buffer = new Uint8Array(65536);
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      if (buffer.byteLength < n) buffer = new Uint8Array(Math.max(n, buffer.byteLength * 2));
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buffer, got, n - got, offset + got);
        if (r === 0) break;
        got += r;
      }
      return buffer.subarray(0, got);
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
