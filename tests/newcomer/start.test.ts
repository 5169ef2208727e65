// The newcomer's path: `npm start` as the README writes it. On these machines the Electron binary is
// absent, so it must say so plainly, name the command that fetches it, and keep the server and the
// Stripe emulator running with the Pro prices seeded.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HealthResponse, PlansResponse } from '../../contracts/api';

let child: ChildProcess | null = null;
const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-start-'));

afterAll(() => {
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
  rmSync(dataDir, { recursive: true, force: true });
});

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
    proc.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

describe('npm start on a machine without the Electron binary', () => {
  it('runs the server and the emulator, seeds the prices and explains the missing binary', async () => {
    child = spawn('npm', ['start'], {
      detached: true,
      env: {
        ...process.env,
        PORT: '0',
        STRIPE_EMULATOR_PORT: '0',
        DATA_DIR: dataDir,
        STRIPE_SECRET_KEY: '',
        LOG_LEVEL: 'warn',
      },
    });
    const output = await waitForOutput(child, /npx install-electron[\s\S]*keep running/, 90_000);
    const serverUrl = /companion server: (http:\/\/[\d.:]+)/.exec(output)?.[1];
    const emulatorUrl = /Stripe emulator.*?: (http:\/\/[\d.:]+)/.exec(output)?.[1];
    expect(serverUrl).toBeDefined();
    expect(emulatorUrl).toBeDefined();

    expect(HealthResponse.parse(await (await fetch(`${serverUrl}/healthz`)).json())).toEqual({
      status: 'ok',
    });
    const plans = PlansResponse.parse(await (await fetch(`${serverUrl}/api/billing/plans`)).json());
    expect(plans.prices.map((p) => [p.interval, p.unitAmount, p.currency]).sort()).toEqual([
      ['month', 999, 'eur'],
      ['year', 9999, 'eur'],
    ]);

    // Ctrl+C (SIGINT to the terminal's process group) stops everything: both ports close.
    const exited = new Promise<void>((resolve) => child?.on('exit', () => resolve()));
    process.kill(-(child.pid as number), 'SIGINT');
    await exited;
    await expect(fetch(`${serverUrl}/healthz`)).rejects.toThrow();
    await expect(fetch(`${emulatorUrl}/_emulator/health`)).rejects.toThrow();
  }, 120_000);
});
