// The newcomer's path: a fresh clone, then the README's quick start as written. `npm start` must
// start the server and the Stripe emulator with the Pro prices seeded, say plainly what it does
// about the Electron binary (absent on these machines), and open the desk as the browser preview,
// which must answer in Chromium. The test command of the same block is what CI runs on its own fresh
// clone (`.ci/run`), so this test checks that the block says so.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HealthResponse, PlansResponse } from '../../contracts/api';
import type { SiberiaBridge } from '../../contracts/bridge';
import { launchChromium } from '../e2e/chromium';

const repo = path.resolve(import.meta.dirname, '..', '..');
let child: ChildProcess | null = null;
const work = mkdtempSync(path.join(tmpdir(), 'siberia-newcomer-'));

afterAll(() => {
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
  rmSync(work, { recursive: true, force: true });
});

/** The commands of the README's quick start block, in order. */
function quickStartCommands(readme: string): string[] {
  const section = readme.split(/^## Quick start$/m)[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

function waitForOutput(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`the app command exited with ${code}:\n${output}`)));
  });
}

describe('a newcomer follows the README', () => {
  it('the quick start is install, the app command, the test command — and CI runs that test command', () => {
    const commands = quickStartCommands(readFileSync(path.join(repo, 'README.md'), 'utf8'));
    expect(commands).toEqual(['npm ci', 'npm start', 'npm test']);
    expect(readFileSync(path.join(repo, '.ci/run'), 'utf8')).toMatch(/\bnpm test'?$/m);
  });

  it('in a fresh clone, the app command runs the server and the emulator, seeds the prices, explains the Electron binary and opens the desk as a browser preview', async () => {
    const clone = path.join(work, 'siberia-mix');
    execFileSync('git', ['clone', '--quiet', repo, clone]);
    // `npm ci` is the quick start's first line; the installed tree of this checkout stands in for it
    // (CI itself runs `npm ci` on a fresh clone), so only tracked files and the README are under test.
    symlinkSync(path.join(repo, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    const [, appCommand] = quickStartCommands(readFileSync(path.join(clone, 'README.md'), 'utf8'));
    const [cmd, ...args] = (appCommand as string).split(' ');
    child = spawn(cmd as string, args, {
      cwd: clone,
      detached: true,
      // Free ports and no Stripe key: what a newcomer without a Stripe account gets.
      // BROWSER=none: the test's Chromium opens the preview, not the machine's browser.
      env: {
        ...process.env,
        PORT: '0',
        STRIPE_EMULATOR_PORT: '0',
        STRIPE_SECRET_KEY: '',
        LOG_LEVEL: 'warn',
        BROWSER: 'none',
      },
    });
    const output = await waitForOutput(
      child,
      /npx install-electron[\s\S]*keep running until Ctrl\+C/,
      120_000,
    );
    const serverUrl = /companion server: (http:\/\/[\d.:]+)/.exec(output)?.[1];
    const emulatorUrl = /Stripe emulator.*?: (http:\/\/[\d.:]+)/.exec(output)?.[1];
    expect(serverUrl).toBeDefined();
    expect(emulatorUrl).toBeDefined();
    expect(output).toContain(`data in ${path.join(clone, 'data')}`);

    expect(HealthResponse.parse(await (await fetch(`${serverUrl}/healthz`)).json())).toEqual({
      status: 'ok',
    });
    const plans = PlansResponse.parse(await (await fetch(`${serverUrl}/api/billing/plans`)).json());
    expect(plans.prices.map((p) => [p.interval, p.unitAmount, p.currency]).sort()).toEqual([
      ['month', 999, 'eur'],
      ['year', 9999, 'eur'],
    ]);

    // The desk answers in Chromium from the preview URL alone, labelled as the preview.
    const previewUrl = /Browser preview of the desktop app: (http:\/\/[\d.:]+\/)/.exec(output)?.[1];
    expect(previewUrl).toBeDefined();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(previewUrl as string);
      await page.getByRole('button', { name: /Account/ }).waitFor({ timeout: 30_000 });
      expect(await page.locator('#browser-preview-label').textContent()).toMatch(/Browser preview/);
      const info = await page.evaluate(() =>
        (window as unknown as { siberia: SiberiaBridge }).siberia.app.getInfo(),
      );
      expect(info).toMatchObject({ ok: true, value: { serverUrl } });
    } finally {
      await browser.close();
    }

    // Ctrl+C (SIGINT to the terminal's process group) stops everything: every port closes.
    const exited = new Promise<void>((resolve) => child?.on('exit', () => resolve()));
    process.kill(-(child.pid as number), 'SIGINT');
    await exited;
    await expect(fetch(`${serverUrl}/healthz`)).rejects.toThrow();
    await expect(fetch(`${emulatorUrl}/_emulator/health`)).rejects.toThrow();
    await expect(fetch(previewUrl as string)).rejects.toThrow();
  }, 180_000);
});
