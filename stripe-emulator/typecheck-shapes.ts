// Compiles objects the emulator actually answered against the installed `stripe` package's types, at
// every depth: each object becomes a literal in a generated TypeScript file, `satisfies` its SDK type,
// and the repository's own compiler (node_modules/typescript, the native TypeScript 7) checks it. A
// missing required field, an extra field, a null where the type says never null, or a string outside
// an enum fails, wherever it sits (nested objects, list `data[]`, an event's `data.object`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const modules = path.resolve(import.meta.dirname, '..', 'node_modules');
const stripeDir = path.join(modules, 'stripe');
const tscPath = path.join(modules, 'typescript', 'bin', 'tsc');

// The SDK's enums end in `OtherString` (string & Record<never, never>) so that a newer API value still
// typechecks; `Strict` drops that open end so the emulator must send a value this API version lists.
// Decimal fields are JSON strings on the wire (the SDK turns them into Decimal objects when it reads).
const PRELUDE = `import type Stripe from 'stripe';
type LitStr<T> = T extends string ? (string extends T ? never : T) : never;
type NonStr<T> = T extends string ? never : T;
type Shape<T> = T extends Stripe.Decimal ? string
  : T extends string ? T
  : T extends readonly (infer U)[] ? Strict<U>[]
  : T extends object ? { [K in keyof T]: Strict<T[K]> }
  : T;
type Strict<T> = [LitStr<T>] extends [never] ? Shape<T> : LitStr<T> | Shape<NonStr<T>>;
`;

export type Sample = { label: string; type: string; value: unknown };

/** The compiler's complaints about the samples, each line prefixed by its sample's label; [] when all fit. */
export function typecheckShapes(samples: readonly Sample[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'stripe-shapes-'));
  try {
    const lines = [PRELUDE];
    const labelAt: Array<{ line: number; label: string }> = [];
    let line = PRELUDE.split('\n').length;
    samples.forEach((s, i) => {
      const body = `export const sample${i} = ${JSON.stringify(s.value, null, 1)} satisfies Strict<${s.type}>;\n`;
      labelAt.push({ line, label: s.label });
      lines.push(body);
      line += body.split('\n').length - 1;
    });
    const source = lines.join('');
    const sourceLines = source.split('\n');
    writeFileSync(path.join(dir, 'check.ts'), source);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'preserve',
          moduleResolution: 'bundler',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          paths: { stripe: [stripeDir] },
        },
        files: ['check.ts'],
      }),
    );
    const run = spawnSync(
      process.execPath,
      [tscPath, '-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false'],
      {
        encoding: 'utf8',
      },
    );
    if (run.status === 0) return [];
    const out = `${run.stdout}${run.stderr}`.trim();
    if (!out) return [`tsc exited with ${run.status} and said nothing`];
    return out
      .split('\n')
      .filter((l) => /check\.ts\(\d+,\d+\)/.test(l) || !l.startsWith(' '))
      .map((l) => {
        const m = /check\.ts\((\d+),/.exec(l);
        if (!m) return l;
        const at = Number(m[1]);
        const owner = [...labelAt].reverse().find((x) => x.line <= at);
        return `${owner?.label ?? '?'}: ${l}  [at: ${(sourceLines[at - 1] ?? '').trim().slice(0, 80)}]`;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
