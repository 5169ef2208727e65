import { randomUUID } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Files } from './ports';

/** The name a file has while it is written: hidden, beside its final name (same file system). */
export function isPartialFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.part');
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
    const partial = path.join(dir, `.${path.basename(file)}.${randomUUID().slice(0, 8)}.part`);
    try {
      await writeFile(partial, data);
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  },
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
