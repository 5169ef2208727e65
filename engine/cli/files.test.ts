import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileSeriesStore } from './files';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the master’s series in files', () => {
  it('keeps every value on disk and reads them back in order, across pages, with readers side by side', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'siberia-series-'));
    dirs.push(dir);
    const { store, close } = fileSeriesStore(dir);
    // More than two pages of 16384, and a partial last one.
    const length = 2 * 16384 + 1234;
    const a = store(length);
    const b = store(3);
    for (let k = 0; k < length; k++) a.push(Math.fround(k * 0.25 - 7));
    for (const v of [9, 8, 7]) b.push(v);
    const first = a.read();
    const second = a.read();
    const firstValues: number[] = [];
    for (let k = 0; k < length; k++) {
      firstValues.push(first());
      // The second reader trails the first by a page and a bit.
      if (k >= 16500) expect(second()).toBe(Math.fround((k - 16500) * 0.25 - 7));
    }
    expect(firstValues.every((v, k) => v === Math.fround(k * 0.25 - 7))).toBe(true);
    const third = b.read();
    expect([third(), third(), third()]).toEqual([9, 8, 7]);
    // On disk, not in memory: the files hold every value.
    expect(
      readdirSync(dir)
        .map((f) => statSync(path.join(dir, f)).size)
        .sort((x, y) => x - y),
    ).toEqual([12, length * 4]);
    close();
    expect(() => a.read()()).toThrow();
  });
});
