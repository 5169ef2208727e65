import { randomUUID } from 'node:crypto';
import {
  access,
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import type { Files, PartialFile } from './ports';

/** The name a file has while it is written: hidden, beside its final name (same file system). */
export function isPartialFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.part');
}

/** The hidden name a file has beside `file` while it is written. */
function partialBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID().slice(0, 8)}.part`);
}

/**
 * A file written piece by piece. Each operation waits for the one before (a renderer that fires
 * several writes at once still gets them in order, and the size it is told is the file's).
 */
async function beginPartial(file: string): Promise<PartialFile> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = partialBeside(file);
  let handle: FileHandle | null = await open(partial, 'wx');
  let size = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(step: () => Promise<T>): Promise<T> => {
    const next = queue.then(step);
    queue = next.catch(() => {});
    return next;
  };
  const opened = (): FileHandle => {
    if (!handle) throw new Error('This file is already finished or given up.');
    return handle;
  };
  const writeAll = async (h: FileHandle, data: Uint8Array, position: number) => {
    for (let done = 0; done < data.byteLength; ) {
      const { bytesWritten } = await h.write(data, done, data.byteLength - done, position + done);
      done += bytesWritten;
    }
  };
  const close = async () => {
    const h = handle;
    handle = null;
    await h?.close().catch(() => {});
  };
  return {
    append: (data) =>
      inTurn(async () => {
        await writeAll(opened(), data, size);
        size += data.byteLength;
        return size;
      }),
    writeAt: (offset, data) =>
      inTurn(async () => {
        if (offset + data.byteLength > size)
          throw new RangeError(
            `Bytes ${offset}–${offset + data.byteLength} are not written yet (${size} are).`,
          );
        await writeAll(opened(), data, offset);
        return size;
      }),
    commit: () =>
      inTurn(async () => {
        const h = opened();
        try {
          // On the disk before it takes the name: a power cut then leaves the old file or the new one.
          await h.sync();
          await close();
          await rename(partial, file);
        } catch (err) {
          await close();
          await rm(partial, { force: true });
          throw err;
        }
      }),
    discard: () =>
      inTurn(async () => {
        await close();
        await rm(partial, { force: true });
      }),
  };
}

/** The files port on Node's fs: what the app and the test host both use. */
export const nodeFiles: Files = {
  /**
   * Writes beside the target and renames into place, so a file under its final name is always
   * whole: a crash or a full disk mid-export leaves no truncated WAV claiming to be the mix, and
   * a reader (a player, a sync tool) never opens one half-written.
   */
  async write(file, data) {
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true });
    const partial = partialBeside(file);
    try {
      await writeFile(partial, data);
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  },
  begin: beginPartial,
  read: async (file) => new Uint8Array(await readFile(file)),
  remove: (file) => rm(file, { force: true }),
  async list(dir) {
    try {
      return (await readdir(dir)).filter((name) => !isPartialFile(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  },
  makeFolder: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  async renameFolder(from, to) {
    // rename(2) replaces an empty folder silently: a name already taken is refused first.
    const taken = await access(to).then(
      () => true,
      () => false,
    );
    if (taken) throw Object.assign(new Error(`${to} already exists`), { code: 'EEXIST' });
    await rename(from, to);
  },
  removeFolder: (dir) => rm(dir, { recursive: true, force: true }),
};
