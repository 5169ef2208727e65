import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';

const unit = 'deploy/siberia-mix.service';
// CI installs Debian's systemd package (.ci/run), so this runs there on every build.
const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));

describe('the systemd unit in deploy/', () => {
  it.runIf(analyze)('passes systemd-analyze verify', () => {
    const run = spawnSync(analyze as string, ['verify', unit], { encoding: 'utf8' });
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
  });

  it('starts npm run server’s entry point and names only variables the server knows', () => {
    const text = readFileSync(unit, 'utf8');
    expect(text).toMatch(/^ExecStart=\/usr\/bin\/node --import tsx server\/main\.ts$/m);
    expect(existsSync('server/main.ts')).toBe(true);
    const env = Object.fromEntries(
      [...text.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    expect(Object.keys(env)).toEqual(['NODE_ENV', 'DATA_DIR']);
    expect(loadConfig(env).dataDir).toBe('/var/lib/siberia-mix');
    // A bad configuration exits 2 (server/main.ts): the unit must not restart it in a loop.
    expect(text).toMatch(/^RestartPreventExitStatus=2$/m);
  });

  it('has an env example in docs/deploy.md that the server accepts', () => {
    const doc = readFileSync('docs/deploy.md', 'utf8');
    const block = /`\/etc\/siberia-mix\/env` holds[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const env = Object.fromEntries(
      block
        .split('\n')
        .map((l) => l.replace(/\s+#.*$/, '').trim())
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(Object.keys(env).length).toBeGreaterThan(8);
    // Placeholders stand for real values: fill them as an operator would.
    const filled = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        v.includes('…')
          ? ({
              AUTH_SECRET: 'x'.repeat(64),
              STRIPE_SECRET_KEY: 'sk_live_x',
              STRIPE_WEBHOOK_SECRET: 'whsec_x',
            }[k] ?? v.replace('…', 'secret'))
          : v,
      ]),
    );
    const config = loadConfig(filled);
    expect(config.database.kind).toBe('postgres');
    expect(config.metrics.port).toBe(9464);
    expect(config.mail).not.toBeNull();
  });
});
