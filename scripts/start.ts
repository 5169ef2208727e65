// `npm start`: the companion server on SQLite in DATA_DIR; the Stripe emulator when no
// STRIPE_SECRET_KEY is set (seeded with the Pro product and its two prices, forwarding webhooks to
// the server); then the Electron app pointed at them. Where the Electron binary is missing, it says so
// and opens the browser shell instead: the same renderer and main services in the system browser,
// labelled as a preview.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { loadConfig, setupStripeCatalog, startServer } from '../server/index';
import { startStripeEmulator, type StripeEmulator } from '../stripe-emulator/index';
import { startBrowserShell, systemBrowser } from '../browser-shell/index';
import { electronBinary } from './electron-binary';

loadDotenv({ quiet: true });
const env: Record<string, string | undefined> = { ...process.env };
const dataDir = path.resolve(env.DATA_DIR ?? './data');
mkdirSync(dataDir, { recursive: true });
env.DATA_DIR = dataDir;

const stoppers: Array<() => Promise<void>> = [];
async function shutdown(code: number): Promise<never> {
  for (const stop of stoppers.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

let emulator: StripeEmulator | null = null;
if (!env.STRIPE_SECRET_KEY) {
  // The emulator's webhook secret is kept beside its state so a restart keeps both.
  const secretFile = path.join(dataDir, 'stripe-emulator.secret');
  const webhookSecret = existsSync(secretFile)
    ? readFileSync(secretFile, 'utf8').trim()
    : `whsec_${randomBytes(24).toString('hex')}`;
  writeFileSync(secretFile, webhookSecret, { mode: 0o600 });
  emulator = await startStripeEmulator({
    port: Number(env.STRIPE_EMULATOR_PORT ?? 12111),
    webhookSecret,
    statePath: path.join(dataDir, 'stripe-emulator.json'),
  });
  const running = emulator;
  stoppers.push(() => running.stop());
  const catalog = await setupStripeCatalog(running.stripe());
  env.STRIPE_SECRET_KEY = 'sk_test_emulator';
  env.STRIPE_API_BASE = running.url;
  env.STRIPE_WEBHOOK_SECRET = running.webhookSecret;
  env.STRIPE_PRICE_MONTHLY = catalog.monthly;
  env.STRIPE_PRICE_ANNUAL = catalog.annual;
}

const server = await startServer(loadConfig(env));
stoppers.push(() => server.close());
if (emulator) emulator.setForwardTo(`${server.url}/api/webhooks/stripe`);

console.log('');
console.log(`Siberia Mix companion server: ${server.url}  (data in ${dataDir})`);
if (emulator)
  console.log(
    `Stripe emulator (test mode, no real payment): ${emulator.url}  → webhooks to ${server.url}/api/webhooks/stripe`,
  );
else console.log(`Stripe: ${env.STRIPE_API_BASE ?? 'api.stripe.com'} with the configured keys`);

const appEnv: NodeJS.ProcessEnv = {
  ...process.env,
  SIBERIA_SERVER_URL: server.url,
  SIBERIA_CHECKOUT_ORIGINS: emulator ? emulator.url : '',
};

const binary = electronBinary();
// The renderer (and, for Electron, the main/preload bundles package.json's "main" names).
const builds = binary ? ['build', 'build:electron'] : ['build'];
const built = builds.every(
  (script) => spawnSync('npm', ['run', '--silent', script], { stdio: 'inherit' }).status === 0,
);
if (!built) {
  console.error('The build failed; the server and the emulator keep running (Ctrl+C stops them).');
} else if (binary) {
  const app = spawn(binary, ['.'], { stdio: 'inherit', env: appEnv });
  app.on('exit', (code) => void shutdown(code ?? 0));
} else {
  // No Electron: the same renderer and main services in the browser, labelled as a preview.
  const preview = await startBrowserShell({
    serverUrl: server.url,
    dataDir: path.join(dataDir, 'browser-preview'),
    checkoutOrigins: emulator ? [emulator.url] : [],
    httpBridge: true,
    port: Number(env.PREVIEW_PORT ?? 0),
  });
  stoppers.push(() => preview.stop());
  console.log(`
The Electron binary is not installed, so the desktop window cannot open on this machine (npm installs
Electron's package without its binary, and this machine cannot download it; on a machine with
internet access, run \`npx install-electron\` once, then \`npm start\` again).

Browser preview of the desktop app: ${preview.url}
The same desk and main-process services, in your browser. Exports land in
${path.join(dataDir, 'browser-preview', 'exports')}; after paying, come back to the tab (or press
"I have paid — refresh"), since siberiamix:// links do not reach a browser tab.
The server, the emulator and the preview keep running until Ctrl+C.`);
  if (env.BROWSER !== 'none') void systemBrowser()(preview.url);
}
