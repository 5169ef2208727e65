import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { paths } from '../contracts/api';
import { createApp } from './app';
import { type BillingStack, billingStack } from './billing-stack';
import type { ServerConfig } from './config';
import { type Db, migrate, openDatabase } from './db/connect';
import { DatabaseHealth, databaseFault } from './db/health';
import { AccessTokens } from './security/access-tokens';
import { LoginThrottle } from './security/login-throttle';
import { RefreshTokens } from './security/refresh-tokens';
import { Keyring } from './security/keyring';
import { Accounts } from './services/accounts';
import { Metrics, metricsAuthorized } from './metrics';
import { Complimentary } from './services/complimentary';
import { smtpMailer } from './services/mailer';
import { PasswordReset } from './services/password-reset';
import type { ReconcileReport } from './services/reconciler';
import { Devices } from './services/devices';
import { Entitlements } from './services/entitlements';
import { UsageService } from './services/usage';

export { createApp } from './app';
export { ConfigError, loadConfig, type ServerConfig } from './config';
export { setupStripeCatalog } from './stripe/catalog';
export { createStripeClient } from './stripe/client';

/** AUTH_SECRET, or (for a local server) one generated once and kept in DATA_DIR with mode 0600. */
function authSecret(config: ServerConfig): string {
  if (config.authSecret) return config.authSecret;
  const file = path.join(config.dataDir, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  server.listen(port, host);
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/** METRICS_PORT's own listener: GET /metrics and nothing else (behind METRICS_TOKEN when set). */
function metricsListener(metrics: Metrics, token: string | null): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== paths.metrics) {
      res.writeHead(404).end();
      return;
    }
    if (!metricsAuthorized(token, req.headers.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
      return;
    }
    metrics.text().then(
      ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
}

export type RunningServer = {
  url: string;
  port: number;
  config: ServerConfig;
  /** Null without Stripe; tests and the operator's command line run it on demand. */
  reconciler: BillingStack['reconciler'];
  keyring: Keyring;
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
  if (!opts.db) {
    // Migrations on a connection of their own, without the 5 s statement limit requests have.
    const migrating = openDatabase(config.database, { queryTimeoutMs: null });
    try {
      await migrate(migrating);
    } finally {
      await migrating.destroy();
    }
  }
  const db =
    opts.db ??
    openDatabase(config.database, {
      onConnectionError: (err) => health.fault(databaseFault(err) ?? err.message),
    });
  const health = new DatabaseHealth(db, logger);
  if (opts.db) await migrate(db);
  const metrics = config.metrics.port !== null || config.metrics.token !== null ? new Metrics() : null;
  if (metrics) health.onFault(() => metrics.databaseError());
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
  const keyring = await new Keyring(db, {
    now,
    // Entitlement tokens live up to the offline grace, grants 15 minutes; a margin for clock skew.
    tokenLifetimeMs:
      Math.max(config.offlineGraceDays * 86_400_000, config.grantTtlSeconds * 1000) + 5 * 60_000,
  }).open({ configured: config.entitlementPrivateKey, dataDir: config.dataDir });
  keyring.start((err) => logger.warn({ err: String(err) }, 'signing keys not read again'));
  const key = keyring.live();
  const usage = new UsageService({
    db,
    keys: [key],
    quotas: config.quotas,
    grantTtlSeconds: config.grantTtlSeconds,
    maxDevices: config.maxDevicesPerUser,
    now,
  });
  // Known once listening (PORT=0 picks a port): the URLs Stripe sends browsers back to.
  let url = config.publicUrl ?? '';
  const { stripe, prices, sync, billing, webhooks, reconciler } = billingStack(config, {
    db,
    logger,
    now,
    publicUrl: () => url,
    ...(metrics ? { onReconcile: (report: ReconcileReport) => metrics.reconciled(report) } : {}),
  });
  stripe?.on('response', (r: { status: number }) => {
    if (r.status >= 500 || r.status === 429) metrics?.stripeError(String(r.status));
  });
  const entitlements = new Entitlements({
    db,
    key,
    usage,
    offlineGraceDays: config.offlineGraceDays,
    maxDevices: config.maxDevicesPerUser,
    intervalOf: (priceId) => prices.intervalOf(priceId),
    now,
  });
  const passwordReset = config.mail
    ? new PasswordReset({
        db,
        mailer: smtpMailer(config.mail.smtpUrl, config.mail.from),
        publicUrl: () => url,
        resetPath: paths.resetPassword,
        logger,
        now,
      })
    : null;
  const app = createApp({
    passwordReset,
    db,
    health,
    accounts,
    access,
    entitlements,
    devices,
    usage,
    keyring,
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
      metrics,
    },
    logger,
    metrics,
    // With a port of their own, metrics stay off the public port unless a token is also set.
    metricsToken: config.metrics.token,
  });
  const server = await listen(createServer(app), config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  const metricsServer =
    metrics && config.metrics.port !== null
      ? await listen(metricsListener(metrics, config.metrics.token), config.metrics.port, config.host)
      : null;
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
  // Complimentary Pro that has run out goes back to Stripe's word (or Free), checked every 10 minutes.
  const complimentary = new Complimentary({ db, sync, now });
  const expireComplimentary = () =>
    void complimentary
      .expire()
      .catch((err: unknown) => logger.warn({ err: String(err) }, 'complimentary Pro not expired'));
  expireComplimentary();
  const compTimer = setInterval(expireComplimentary, 10 * 60_000).unref();
  return {
    url,
    port,
    config: { ...config, publicUrl: url },
    reconciler,
    keyring,
    close: async () => {
      keyring.stop();
      clearInterval(compTimer);
      await reconciler?.stop();
      for (const s of [server, metricsServer])
        if (s)
          await new Promise<void>((resolve) => {
            s.close(() => resolve());
            // Idle keep-alive connections would hold close() open.
            s.closeAllConnections();
          });
      if (!opts.db) await db.destroy();
    },
  };
}
