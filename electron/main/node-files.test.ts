import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPartialFile, nodeFiles } from './node-files';

describe('the Node files port', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'siberia-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never shows a file under its final name before it is whole', async () => {
    const file = path.join(dir, 'exports', 'Song - mix.wav');
    const data = new Uint8Array(48 * 2 ** 20).fill(7);
    const sizesSeen = new Set<number>();
    let done = false;
    const writing = nodeFiles.write(file, data).then(() => {
      done = true;
    });
    // Look between every turn of the event loop while the write goes on.
    while (!done) {
      if (existsSync(file)) sizesSeen.add(statSync(file).size);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writing;
    expect([...sizesSeen].every((size) => size === data.length)).toBe(true);
    expect(readFileSync(file).length).toBe(data.length);
    expect(readdirSync(path.dirname(file))).toEqual(['Song - mix.wav']);
  });

  it('replaces an existing file whole, and lists files without the ones being written', async () => {
    const file = path.join(dir, 'take.wav');
    writeFileSync(file, 'old');
    await nodeFiles.write(file, new TextEncoder().encode('new take'));
    expect(readFileSync(file, 'utf8')).toBe('new take');
    writeFileSync(path.join(dir, '.other.wav.1a2b3c4d.part'), 'half');
    expect(await nodeFiles.list(dir)).toEqual(['take.wav']);
    expect(isPartialFile('.other.wav.1a2b3c4d.part')).toBe(true);
    expect(isPartialFile('other.wav')).toBe(false);
    expect(await nodeFiles.list(path.join(dir, 'missing'))).toEqual([]);
  });

  it('leaves nothing behind and the old file untouched when the write fails', async () => {
    // A folder where the file should go: the rename cannot replace it.
    const target = path.join(dir, 'blocked.wav');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'x');
    await expect(nodeFiles.write(target, new Uint8Array(10))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['blocked.wav']);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('writes a file piece by piece under a hidden name, and it takes its name only on commit', async () => {
    const file = path.join(dir, 'out', 'Song - mix.wav');
    writeFileSync(path.join(dir, 'keep'), '');
    const partial = await nodeFiles.begin(file);
    const hidden = () => readdirSync(path.dirname(file));
    expect(hidden()).toHaveLength(1);
    expect(isPartialFile(hidden()[0] as string)).toBe(true);
    expect(await partial.append(new Uint8Array([0, 0, 0]))).toBe(3);
    expect(await partial.append(new Uint8Array([4, 5]))).toBe(5);
    expect(await partial.writeAt(0, new Uint8Array([1, 2, 3]))).toBe(5);
    // Past the end is refused and writes nothing.
    await expect(partial.writeAt(4, new Uint8Array([9, 9]))).rejects.toThrow(RangeError);
    expect(existsSync(file)).toBe(false);
    expect(await nodeFiles.list(path.dirname(file))).toEqual([]);
    await partial.commit();
    expect([...readFileSync(file)]).toEqual([1, 2, 3, 4, 5]);
    expect(hidden()).toEqual(['Song - mix.wav']);
    // Finished: nothing more goes in, and giving up now removes nothing.
    await expect(partial.append(new Uint8Array([6]))).rejects.toThrow(/finished/);
    await partial.discard();
    expect([...readFileSync(file)]).toEqual([1, 2, 3, 4, 5]);
  });

  it('a file given up is gone and the one it was to replace untouched; a failed commit leaves nothing', async () => {
    const file = path.join(dir, 'take.wav');
    writeFileSync(file, 'old');
    const given = await nodeFiles.begin(file);
    await given.append(new Uint8Array(1000));
    await given.discard();
    await given.discard();
    expect(readdirSync(dir)).toEqual(['take.wav']);
    expect(readFileSync(file, 'utf8')).toBe('old');

    // A folder where the file should go: the rename cannot replace it.
    const blocked = path.join(dir, 'blocked.wav');
    mkdirSync(blocked);
    const failing = await nodeFiles.begin(blocked);
    await failing.append(new Uint8Array(10));
    await expect(failing.commit()).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['blocked.wav', 'take.wav']);
  });
});
