import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { api, paths } from '../contracts/api';
import type { Db } from './db/connect';
import type { DatabaseHealth } from './db/health';
import { DomainError, PaymentsNotConfigured } from './domain/errors';
import { type ErrorReply, errorReply, internalErrorReply } from './http/errors';
import { withReadLane } from './http/read-lane';
import { trackRequest } from './http/request-log';
import { laneRoute, routeRegistrar } from './http/route';
import { helmetHeaders, type SecurityHeaders, setSecurityHeaders } from './http/security-headers';
import { type BillingDeps, registerBillingRoutes, registerStripeWebhook } from './routes/billing';
import type { AccessTokens } from './security/access-tokens';
import { type Metrics, metricsAuthorized } from './metrics';
import type { Keyring } from './security/keyring';
import { jwks } from './security/signing-keys';
import { registerPasswordReset } from './routes/password-reset';
import type { Accounts } from './services/accounts';
import type { PasswordReset } from './services/password-reset';
import type { Devices } from './services/devices';
import type { Entitlements } from './services/entitlements';
import type { UsageService } from './services/usage';

export type AppDeps = {
  db: Db;
  health: DatabaseHealth;
  accounts: Accounts;
  access: AccessTokens;
  entitlements: Entitlements;
  devices: Devices;
  usage: UsageService;
  keyring: Keyring;
  billing: BillingDeps;
  /** Null without SMTP_URL: the reset route then answers 503 mail_unavailable. */
  passwordReset: PasswordReset | null;
  logger: Logger;
  /** Null when metrics are off. */
  metrics: Metrics | null;
  /** Serve GET /metrics on this (main) port, behind this bearer token. */
  metricsToken: string | null;
};

/**
 * The companion server's HTTP handler: the read lane answers the hot bodiless GETs, the Express
 * application everything else. Routes come from contracts/api.ts, which also says which need a
 * signed-in user (http/route.ts); services decide, and http/errors.ts turns their refusals into
 * statuses. Built by a factory so tests and `npm run server` wire the same thing.
 */
export function createApp(deps: AppDeps): RequestListener {
  const securityHeaders = helmetHeaders();
  const lane = Object.fromEntries([
    laneRoute(deps.access, api.healthz, () => ({ body: { status: 'ok' } })),
    laneRoute(deps.access, api.readyz, async () =>
      (await deps.health.ready())
        ? { body: { status: 'ready', database: true } }
        : { status: 503, body: { status: 'unavailable', database: false } },
    ),
    laneRoute(deps.access, api.jwks, () => ({
      body: jwks(deps.keyring.published),
      headers: { 'Cache-Control': 'public, max-age=300' },
    })),
    laneRoute(deps.access, api.me, async ({ userId }) => ({
      body: { user: await deps.accounts.me(userId) },
    })),
    laneRoute(deps.access, api.billingMe, async ({ userId }) => ({
      body: await deps.entitlements.billingMe(userId),
    })),
  ]);
  const { metrics } = deps;
  return withReadLane(lane, expressApp(deps, securityHeaders), {
    securityHeaders,
    logger: deps.logger,
    refusalFor: (err) => deps.health.refusalFor(err),
    ...(metrics ? { onAnswered: metrics.request.bind(metrics) } : {}),
  });
}

/** Everything that is not a hot read: bodies, the Stripe webhook, checkout and the return page. */
function expressApp(deps: AppDeps, securityHeaders: SecurityHeaders): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const { metrics } = deps;
  app.use((req, res, next) => {
    setSecurityHeaders(res, securityHeaders);
    trackRequest(
      deps.logger,
      req,
      res,
      // The route's pattern once Express matched one; anything else is one series, not one per path.
      metrics
        ? (status, s) => metrics.request(req.route?.path ?? '(unmatched)', req.method, status, s)
        : undefined,
    );
    next();
  });
  if (metrics && deps.metricsToken !== null) {
    const token = deps.metricsToken;
    app.get(paths.metrics, async (req, res) => {
      if (!metricsAuthorized(token, req.get('authorization')))
        throw new DomainError('unauthorized', 'GET /metrics needs METRICS_TOKEN as a bearer token.');
      const { contentType, body } = await metrics.text();
      res.type(contentType).send(body);
    });
  }
  // The webhook reads its raw body, so it comes before the JSON parser.
  registerStripeWebhook(app, deps.billing);
  app.use(express.json({ limit: '100kb' }));

  const route = routeRegistrar(app, deps.access);
  route(api.register, ({ body }) => deps.accounts.register(body.email, body.password, body.deviceId), {
    status: 201,
  });
  route(api.login, ({ body, req }) =>
    deps.accounts.login(body.email, body.password, req.ip ?? 'unknown', body.deviceId),
  );
  route(api.refresh, ({ body }) => deps.accounts.refresh(body.refreshToken));
  route(api.logout, async ({ body }) => {
    await deps.accounts.logout(body.refreshToken);
    return { ok: true };
  });
  route(api.entitlementToken, async ({ userId, body }) => ({
    token: await deps.entitlements.token(userId, body.deviceId, body.deviceName),
  }));
  route(api.devices, ({ userId }) => deps.devices.list(userId));
  route(api.deviceSignOut, async ({ userId, body }) => {
    await deps.devices.signOut(userId, body.deviceId);
    return { ok: true };
  });
  route(api.usageGrant, async ({ userId, body }) => {
    try {
      const granted = await deps.usage.grant(userId, body.kind, body.idempotencyKey, body.deviceId);
      metrics?.grant(body.kind, 'granted');
      return granted;
    } catch (err) {
      if (err instanceof DomainError) metrics?.grant(body.kind, err.code);
      throw err;
    }
  });
  route(api.usageGrantCommit, ({ userId, body }) => deps.usage.commit(userId, body.grant));
  route(api.usageGrantRelease, ({ userId, body }) => deps.usage.release(userId, body.grant));
  route(api.usageGrantRenew, ({ userId, body }) => deps.usage.renew(userId, body.grant));
  route(api.usageOffline, ({ userId, body }) => deps.usage.reportOffline(userId, body.uses));
  registerBillingRoutes(app, deps.billing, route);
  registerPasswordReset(app, route, deps.passwordReset);

  app.use((req, _res, next) => next(new DomainError('not_found', `No route ${req.method} ${req.path}.`)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const reply = errorReplyOf(err, deps.health);
    if (!reply) deps.logger.error({ err, path: req.path }, 'unhandled error');
    if (reply?.body.error.code === 'stripe_unavailable' && !(err instanceof PaymentsNotConfigured))
      metrics?.stripeError('http');
    const { status, body, headers } = reply ?? internalErrorReply();
    res.set(headers).status(status).json(body);
  });
  return app;
}

/**
 * Express's own body-parser failures are refusals like the services' ones, and so is a database
 * outage (503 database_unavailable); anything else is not.
 */
function errorReplyOf(err: unknown, health: DatabaseHealth): ErrorReply | null {
  if (err instanceof DomainError) return errorReply(err);
  const outage = health.refusalFor(err);
  if (outage) return errorReply(outage);
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed')
    return errorReply(new DomainError('malformed_json', 'The request body is not valid JSON.'));
  if (type === 'entity.too.large')
    return errorReply(new DomainError('payload_too_large', 'The request body is too large.'));
  return null;
}
