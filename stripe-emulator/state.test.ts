// What survives a restart with a state file, and the command-line entry point.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStripeEmulator, stripeClientFor } from './index';
import { DAY, emulatorForTest, seedCatalog, startReceiver, subscribe } from './testing';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stripe-emulator-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('state file', () => {
  it('keeps what was bought, the clock and idempotency answers across a restart', async () => {
    const statePath = path.join(dir, 'state.json');
    const first = await emulatorForTest({ statePath });
    const stripe = first.stripe();
    const { monthly } = await seedCatalog(stripe);
    const { session, subscription, customer } = await subscribe(first, monthly);
    const keyed = await stripe.products.create({ name: 'Keyed' }, { idempotencyKey: 'restart-key' });
    await first.advanceTime(10 * DAY);
    await first.stop();
    expect(existsSync(statePath)).toBe(true);

    const second = await emulatorForTest({ statePath });
    try {
      const again = second.stripe();
      const sub = await again.subscriptions.retrieve(subscription.id);
      expect(sub.status).toBe('active');
      expect(sub.customer).toBe(customer);
      expect((await again.checkout.sessions.retrieve(session.id)).status).toBe('complete');
      expect((await again.subscriptions.list({ customer })).data.map((s) => s.id)).toEqual([subscription.id]);
      expect((await again.prices.list({ lookup_keys: ['pro_monthly'] })).data.map((p) => p.id)).toEqual([
        monthly.id,
      ]);
      const replayed = await again.products.create({ name: 'Keyed' }, { idempotencyKey: 'restart-key' });
      expect(replayed.id).toBe(keyed.id);
      // The ten days advanced before the restart still count: twenty-one more reach the renewal.
      await second.advanceTime(21 * DAY);
      expect((await again.invoices.list({ subscription: subscription.id })).data).toHaveLength(2);
    } finally {
      await second.stop();
    }
  });

  it('starts empty after a reset', async () => {
    const statePath = path.join(dir, 'state.json');
    const first = await emulatorForTest({ statePath });
    await seedCatalog(first.stripe());
    await fetch(`${first.url}/_emulator/reset`, { method: 'POST' });
    await first.stop();
    const second = await emulatorForTest({ statePath });
    try {
      expect((await second.stripe().products.list()).data).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('refuses a state file it cannot read, naming it, and leaves it as it was', async () => {
    const statePath = path.join(dir, 'broken.json');
    // Version 1 came before invoices had their own payments and retry schedule.
    const older = '{"version":1,"offsetSec":0,"seq":0,"objects":[],"idempotency":[]}';
    for (const content of ['{not json', '{"version":9,"objects":[]}', older]) {
      writeFileSync(statePath, content);
      await expect(startStripeEmulator({ statePath })).rejects.toThrow(statePath);
      expect(readFileSync(statePath, 'utf8')).toBe(content);
    }
  });
});

describe('command line', () => {
  const cli = path.join(import.meta.dirname, 'cli.ts');
  const tsx = path.join(import.meta.dirname, '../node_modules/.bin/tsx');

  function run(args: string[]) {
    const child = spawn(tsx, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, out: () => stdout, err: () => stderr };
  }

  it('serves the API, forwards signed events and keeps state, until stopped', async () => {
    const secret = 'whsec_from_the_command_line';
    const receiver = await startReceiver(() => secret);
    const statePath = path.join(dir, 'cli-state.json');
    const proc = run([
      '--port',
      '0',
      '--forward-to',
      receiver.url,
      '--webhook-secret',
      secret,
      '--state',
      statePath,
    ]);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        proc.child.stdout.on('data', () => {
          // The banner is complete once the secret line is out.
          const m = /listening on (http:\/\/\S+)[\s\S]*STRIPE_WEBHOOK_SECRET=\S+\n/.exec(proc.out());
          if (m) resolve(m[1] as string);
        });
        void proc.exited.then((code) => reject(new Error(`exited ${code}: ${proc.err()}`)));
      });
      expect(proc.out()).toContain(`STRIPE_WEBHOOK_SECRET=${secret}`);
      const stripe = stripeClientFor(url);
      const customer = await stripe.customers.create({ email: 'cli@example.com' });
      await expect.poll(() => receiver.types(), { timeout: 10_000 }).toEqual(['customer.created']);
      expect(receiver.rejected).toEqual([]);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(readFileSync(statePath, 'utf8')).toContain(customer.id);
    } finally {
      proc.child.kill('SIGKILL');
      await receiver.close();
    }
  });

  // Four cold starts of the emulator's command line (TypeScript compiled at each): slow on a busy machine.
  it('refuses bad arguments with the usage and exit code 2', { timeout: 120_000 }, async () => {
    for (const args of [
      ['--port', 'abc'],
      ['--webhook-secret', 'nope'],
      ['--colour', 'blue'],
      ['--after-failed-retries', 'forgive'],
    ]) {
      const proc = run(args);
      expect(await proc.exited).toBe(2);
      expect(proc.err()).toMatch(/Usage|whsec_/);
      expect(proc.out()).not.toContain('listening');
    }
  });
});
