import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every word the musician reads comes from the catalogues: no text between JSX tags and no literal
// labels in the attributes people hear or see.
const uiDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'ui');
const files = readdirSync(uiDir).filter((f) => f.endsWith('.tsx'));

describe('no hard-coded copy in the components', () => {
  it('has components to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  for (const file of files) {
    it(file, () => {
      const source = readFileSync(path.join(uiDir, file), 'utf8');
      const textNodes = [...source.matchAll(/(?<![=-])>\s*([^<>{}]*[A-Za-zÀ-ÿ]{2,}[^<>{}]*?)\s*<(?!=)/g)]
        .map((m) => m[1]?.trim())
        // `=>` and generics put `>`/`<` in code; only text that is not code is copy.
        .filter((t): t is string => !!t && !/[=;()]/.test(t) && !/^(extends|as)\b/.test(t));
      const attributes = [
        ...source.matchAll(/\b(aria-label|title|placeholder|alt)="([^"]*[A-Za-z][^"]*)"/g),
      ].map((m) => m[0]);
      expect(textNodes).toEqual([]);
      expect(attributes).toEqual([]);
    });
  }
});
