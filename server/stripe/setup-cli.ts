// `npm run stripe:setup [-- --webhook-url https://…/api/webhooks/stripe]`: creates, idempotently, the
// "Siberia Mix Pro" product with its two EUR prices and, given a URL, the webhook endpoint; then
// prints the lines to paste into .env. Uses STRIPE_SECRET_KEY and STRIPE_API_BASE from the environment.
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { setupStripeCatalog } from './catalog';
import { createStripeClient } from './client';

loadDotenv({ quiet: true });
let webhookUrl: string | undefined;
try {
  webhookUrl = parseArgs({ options: { 'webhook-url': { type: 'string' } } }).values['webhook-url'];
  if (webhookUrl !== undefined && !/^https?:\/\/\S+$/.test(webhookUrl))
    throw new Error('--webhook-url: an http(s) URL');
} catch (err) {
  console.error(
    `${err instanceof Error ? err.message : String(err)}\nUsage: npm run stripe:setup [-- --webhook-url URL]`,
  );
  process.exit(2);
}
const key = process.env.STRIPE_SECRET_KEY?.trim();
if (!key || !/^(sk|rk)_(test|live)_/.test(key)) {
  console.error(
    'STRIPE_SECRET_KEY: set a Stripe secret key (sk_test_… for test mode), in the environment or .env',
  );
  process.exit(2);
}
const apiBase = process.env.STRIPE_API_BASE?.trim() || null;
try {
  const stripe = createStripeClient({
    secretKey: key,
    webhookSecrets: [],
    apiBase,
    prices: { monthly: null, annual: null },
  });
  const result = await setupStripeCatalog(stripe, { webhookUrl });
  console.log(
    result.created.length
      ? `Created:\n${result.created.map((c) => `  ${c}`).join('\n')}`
      : 'Everything already existed; nothing created.',
  );
  console.log(
    '\nThe Pro prices are VAT-inclusive (tax_behavior: inclusive): 9.99 EUR a month and 99.99 EUR a year, all taxes included.',
  );
  for (const w of result.warnings) console.log(`Warning: ${w}`);
  console.log('\nPaste into .env:');
  console.log(`STRIPE_PRICE_MONTHLY=${result.monthly}`);
  console.log(`STRIPE_PRICE_ANNUAL=${result.annual}`);
  if (result.webhook?.secret) console.log(`STRIPE_WEBHOOK_SECRET=${result.webhook.secret}`);
  else if (result.webhook)
    console.log(
      `# The webhook endpoint ${result.webhook.id} already existed: Stripe shows its secret only at creation (Dashboard → Webhooks).`,
    );
} catch (err) {
  console.error(`Stripe setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
