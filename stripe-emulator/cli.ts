// `npm run stripe:emulator -- --port 12111 --forward-to URL --webhook-secret whsec_… [--state FILE]`
import { parseArgs } from 'node:util';
import { AFTER_FAILED_RETRIES } from './core';
import { startStripeEmulator } from './index';

const usage = `Usage: npm run stripe:emulator -- [--port 12111] [--host 127.0.0.1] [--forward-to URL]
       [--webhook-secret whsec_…] [--state state.json] [--retry-base-ms 2000] [--max-attempts 6]
       [--duplicate] [--shuffle] [--delay-ms 0] [--after-failed-retries cancel|unpaid|past_due]`;

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string', default: '12111' },
      host: { type: 'string', default: '127.0.0.1' },
      'forward-to': { type: 'string' },
      'webhook-secret': { type: 'string' },
      state: { type: 'string' },
      'retry-base-ms': { type: 'string' },
      'max-attempts': { type: 'string' },
      duplicate: { type: 'boolean', default: false },
      shuffle: { type: 'boolean', default: false },
      'delay-ms': { type: 'string' },
      'after-failed-retries': { type: 'string', default: 'cancel' },
      help: { type: 'boolean', default: false },
    },
  });
}
try {
  args = parse();
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
  process.exit(2);
}
const v = args.values;
if (v.help) {
  console.log(usage);
  process.exit(0);
}
const num = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name}: a whole number ≥ 0, not "${value}"\n${usage}`);
    process.exit(2);
  }
  return n;
};
const secret = v['webhook-secret'];
if (secret !== undefined && !secret.startsWith('whsec_')) {
  console.error('--webhook-secret: must start with whsec_');
  process.exit(2);
}
const afterFailedRetries = v['after-failed-retries'] as string;
if (!(AFTER_FAILED_RETRIES as readonly string[]).includes(afterFailedRetries)) {
  console.error(`--after-failed-retries: one of ${AFTER_FAILED_RETRIES.join(', ')}\n${usage}`);
  process.exit(2);
}
const emulator = await startStripeEmulator({
  port: num('port', v.port),
  host: v.host,
  forwardTo: v['forward-to'] ?? null,
  webhookSecret: secret,
  statePath: v.state,
  delivery: {
    retryBaseMs: num('retry-base-ms', v['retry-base-ms']),
    maxAttempts: num('max-attempts', v['max-attempts']),
    delayMs: num('delay-ms', v['delay-ms']),
    duplicate: v.duplicate,
    shuffle: v.shuffle,
  },
});
if (afterFailedRetries !== 'cancel')
  await fetch(`${emulator.url}/_emulator/billing`, {
    method: 'POST',
    body: JSON.stringify({ afterFailedRetries }),
  });
console.log(`Stripe emulator (test mode, no real payment) listening on ${emulator.url}`);
console.log(`  STRIPE_API_BASE=${emulator.url}`);
console.log(`  STRIPE_SECRET_KEY=sk_test_emulator   (any sk_test_ key is accepted)`);
console.log(`  STRIPE_WEBHOOK_SECRET=${emulator.webhookSecret}`);
if (v['forward-to']) console.log(`  forwarding every event to ${v['forward-to']}`);
if (v.state) console.log(`  state kept in ${v.state}`);
const stop = async () => {
  await emulator.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
