import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Files } from './ports';

/** The files port on Node's fs: what the app and the test host both use. */
export const nodeFiles: Files = {
  async write(file, data) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
  },
  read: async (file) => new Uint8Array(await readFile(file)),
  remove: (file) => rm(file, { force: true }),
  async list(dir) {
    try {
      return await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  },
};
