import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { ServerConfig } from './config';
import type { Db } from './db/connect';
import { Billing } from './services/billing';
import { CustomerSync } from './services/customer-sync';
import { type ReconcileReport, Reconciler } from './services/reconciler';
import { StripeWebhooks } from './services/stripe-webhooks';
import { createStripeClient } from './stripe/client';
import { PriceCatalog } from './stripe/prices';

export type BillingStack = {
  stripe: Stripe | null;
  prices: PriceCatalog;
  sync: CustomerSync | null;
  billing: Billing | null;
  webhooks: StripeWebhooks | null;
  reconciler: Reconciler | null;
};

/**
 * Stripe and what is built on it, as the server and the operator's command line both use it; each
 * part is null when the configuration lacks what it needs (no STRIPE_SECRET_KEY: none of them).
 */
export function billingStack(
  config: ServerConfig,
  deps: {
    db: Db;
    logger: Logger;
    now: () => Date;
    /** Where browsers come back to after Checkout (known once the server listens). */
    publicUrl: () => string;
    onReconcile?: (report: ReconcileReport) => void;
  },
): BillingStack {
  const { db, logger, now } = deps;
  const stripe = config.stripe.secretKey ? createStripeClient(config.stripe) : null;
  const prices = new PriceCatalog(stripe, config.stripe.prices);
  const sync = stripe
    ? new CustomerSync({
        db,
        stripe,
        prices,
        rules: { pastDueKeepsPro: config.pastDueKeepsPro, pastDueGraceDays: config.pastDueGraceDays },
        logger,
        now,
      })
    : null;
  const billing =
    stripe && sync
      ? new Billing({
          db,
          stripe,
          prices,
          publicUrl: deps.publicUrl,
          automaticTax: config.automaticTax,
          sync,
          logger,
          now,
        })
      : null;
  const webhooks =
    stripe && billing && sync && config.stripe.webhookSecrets.length
      ? new StripeWebhooks({ db, stripe, secrets: config.stripe.webhookSecrets, billing, sync, logger, now })
      : null;
  const reconciler =
    stripe && sync && webhooks
      ? new Reconciler({
          db,
          stripe,
          sync,
          handleEvent: (event) => webhooks.handle(event),
          intervalS: config.reconcileIntervalS,
          logger,
          now,
          ...(deps.onReconcile ? { onRun: deps.onReconcile } : {}),
        })
      : null;
  return { stripe, prices, sync, billing, webhooks, reconciler };
}
