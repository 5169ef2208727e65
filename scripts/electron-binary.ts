import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The Electron executable `npm install electron` fetched, or null where it could not (no internet). */
export function electronBinary(root = process.cwd()): string | null {
  const pathFile = path.resolve(root, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.resolve(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}
