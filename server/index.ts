import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createApp } from './app';
import type { ServerConfig } from './config';
import { type Db, migrate, openDatabase } from './db/connect';
import { AccessTokens } from './security/access-tokens';
import { LoginThrottle } from './security/login-throttle';
import { RefreshTokens } from './security/refresh-tokens';
import { loadSigningKey } from './security/signing-keys';
import { Accounts } from './services/accounts';
import { Devices } from './services/devices';
import { Entitlements } from './services/entitlements';
import { UsageService } from './services/usage';
import { Billing } from './services/billing';
import { CustomerSync } from './services/customer-sync';
import { Reconciler } from './services/reconciler';
import { StripeWebhooks } from './services/stripe-webhooks';
import { createStripeClient } from './stripe/client';
import { PriceCatalog } from './stripe/prices';

export { createApp } from './app';
export { ConfigError, loadConfig, type ServerConfig } from './config';
export { setupStripeCatalog } from './stripe/catalog';
export { createStripeClient } from './stripe/client';

/** AUTH_SECRET, or (for a local server) one generated once and kept in DATA_DIR with mode 0600. */
function authSecret(config: ServerConfig): string {
  if (config.authSecret) return config.authSecret;
  const file = path.join(config.dataDir, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export type RunningServer = {
  url: string;
  port: number;
  config: ServerConfig;
  /** Null without Stripe; tests and the operator's command line run it on demand. */
  reconciler: Reconciler | null;
  close(): Promise<void>;
};

/** Opens and migrates the database, builds the app and listens (PORT=0: a random free port). */
export async function startServer(
  config: ServerConfig,
  /** `db`: a database the caller owns (tests); otherwise the configured one is opened and closed here. */
  opts: { logger?: Logger; now?: () => Date; db?: Db } = {},
): Promise<RunningServer> {
  const logger =
    opts.logger ??
    pino({
      level: config.logLevel,
      redact: ['req.headers.authorization', '*.password', '*.refreshToken', '*.accessToken'],
    });
  const now = opts.now ?? (() => new Date());
  const db = opts.db ?? openDatabase(config.database);
  await migrate(db);
  const access = new AccessTokens(authSecret(config), now);
  const refresh = new RefreshTokens(db, now);
  const devices = new Devices({ db, refresh, maxDevices: config.maxDevicesPerUser, now });
  const accounts = new Accounts({
    db,
    access,
    refresh,
    throttle: new LoginThrottle(db, now),
    devices,
    now,
  });
  const key = await loadSigningKey(config.entitlementPrivateKey, config.dataDir);
  const usage = new UsageService({
    db,
    keys: [key],
    quotas: config.quotas,
    grantTtlSeconds: config.grantTtlSeconds,
    maxDevices: config.maxDevicesPerUser,
    now,
  });
  const stripe = config.stripe.secretKey ? createStripeClient(config.stripe) : null;
  const prices = new PriceCatalog(stripe, config.stripe.prices);
  const entitlements = new Entitlements({
    db,
    key,
    usage,
    offlineGraceDays: config.offlineGraceDays,
    maxDevices: config.maxDevicesPerUser,
    intervalOf: (priceId) => prices.intervalOf(priceId),
    now,
  });
  // Known once listening (PORT=0 picks a port): the URLs Stripe sends browsers back to.
  let url = config.publicUrl ?? '';
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
    stripe && sync ? new Billing({ db, stripe, prices, publicUrl: () => url, sync, logger, now }) : null;
  const webhooks =
    stripe && billing && sync && config.stripe.webhookSecret
      ? new StripeWebhooks({ db, stripe, secret: config.stripe.webhookSecret, billing, sync, logger, now })
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
        })
      : null;
  const app = createApp({
    db,
    accounts,
    access,
    entitlements,
    devices,
    usage,
    signingKeys: [key],
    billing: {
      billing,
      webhooks,
      prices: stripe ? prices : null,
      appScheme: config.appScheme,
      quotas: {
        exportsPerMonth: config.quotas.exportsPerMonth,
        mastersPerMonth: config.quotas.mastersPerMonth,
      },
      logger,
    },
    logger,
  });
  const server = createServer(app).listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  url = config.publicUrl ?? `http://${config.host}:${port}`;
  if (stripe)
    // Resolve the Pro prices now when lookup keys name them; a Stripe outage only delays it.
    prices
      .resolve()
      .catch((err: unknown) =>
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'Pro prices not resolved yet'),
      );
  logger.info({ url, database: config.database.kind }, 'Siberia Mix server listening');
  reconciler?.start();
  return {
    url,
    port,
    config: { ...config, publicUrl: url },
    reconciler,
    close: async () => {
      await reconciler?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open.
        server.closeAllConnections();
      });
      if (!opts.db) await db.destroy();
    },
  };
}
