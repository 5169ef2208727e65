import Stripe from 'stripe';
import type { ServerConfig } from '../config';

/**
 * The stripe SDK as the server uses it: Stripe itself, or the emulator when STRIPE_API_BASE says so
 * (the SDK's host/port/protocol options, so the same code path runs in tests and in production).
 */
export function createStripeClient(
  stripe: ServerConfig['stripe'],
  opts: { timeoutMs?: number } = {},
): Stripe {
  if (!stripe.secretKey) throw new Error('STRIPE_SECRET_KEY is not set');
  const base = stripe.apiBase ? new URL(stripe.apiBase) : null;
  return new Stripe(stripe.secretKey, {
    // Retries with the SDK's own idempotency keys; a webhook answered 500 is retried by Stripe too.
    maxNetworkRetries: 2,
    timeout: opts.timeoutMs ?? 20_000,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
