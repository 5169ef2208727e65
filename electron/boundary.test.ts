import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith('.ts') && !full.endsWith('.test.ts') ? [full] : [];
  });
}

/** Modules that pull Electron in at run time (electron-store would, by importing it). */
const RUNTIME_ELECTRON =
  /(?:^|\n)\s*import\s+(?!type\b)[^;]*?from\s+['"](electron|electron-store)['"]|require\(\s*['"](electron|electron-store)['"]\s*\)|import\(\s*['"](electron|electron-store)['"]\s*\)/;

describe('Electron stays at the edge', () => {
  const edge = new Set([path.join(here, 'main', 'index.ts'), path.join(here, 'preload', 'index.ts')]);

  it('only main/index.ts and preload/index.ts import electron at run time', () => {
    const files = sources(here);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => !edge.has(f) && RUNTIME_ELECTRON.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
    for (const f of edge) expect(RUNTIME_ELECTRON.test(readFileSync(f, 'utf8'))).toBe(true);
  });

  it('the check itself tells type imports from run-time ones', () => {
    expect(RUNTIME_ELECTRON.test("import type { App } from 'electron';")).toBe(false);
    expect(RUNTIME_ELECTRON.test("import { app } from 'electron';")).toBe(true);
    expect(RUNTIME_ELECTRON.test("const e = require('electron');")).toBe(true);
    expect(RUNTIME_ELECTRON.test("import Store from 'electron-store';")).toBe(true);
  });
});

describe('bundles', () => {
  it('npm run build:electron makes one CommonJS file each, with electron and keytar left outside', () => {
    // Into a folder of its own: packaging reads dist/electron while this suite may be running.
    const out = mkdtempSync(path.join(tmpdir(), 'siberia-bundles-'));
    execFileSync('npm', ['run', '--silent', 'build:electron', '--', '--outdir', out], {
      cwd: root,
      stdio: 'pipe',
    });
    const main = readFileSync(path.join(out, 'main.cjs'), 'utf8');
    const preload = readFileSync(path.join(out, 'preload.cjs'), 'utf8');
    const requires = (code: string) =>
      [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] as string))].filter(
        (m) =>
          !m.startsWith('node:') && !m.startsWith('ajv/dist/runtime') && !m.startsWith('ajv-formats/dist'),
      );
    // keytar is required where it is used, so a missing native module is a caught error, not a crash.
    expect(requires(main).sort()).toEqual(['electron', 'keytar']);
    expect(main).not.toContain('import("keytar")');
    expect(main).not.toMatch(/^\s*(import|export)\s/m);
    expect(requires(preload)).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
    // The preload hands the page the bridge, never ipcRenderer itself.
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });
});
