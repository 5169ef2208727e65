import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { api } from '../contracts/api';
import type { Db } from './db/connect';
import { DomainError } from './domain/errors';
import { type ErrorReply, errorReply, internalErrorReply } from './http/errors';
import { withReadLane } from './http/read-lane';
import { trackRequest } from './http/request-log';
import { laneRoute, routeRegistrar } from './http/route';
import { helmetHeaders, type SecurityHeaders, setSecurityHeaders } from './http/security-headers';
import { type BillingDeps, registerBillingRoutes, registerStripeWebhook } from './routes/billing';
import type { AccessTokens } from './security/access-tokens';
import { jwks, type SigningKey } from './security/signing-keys';
import type { Accounts } from './services/accounts';
import type { Devices } from './services/devices';
import type { Entitlements } from './services/entitlements';
import type { UsageService } from './services/usage';

export type AppDeps = {
  db: Db;
  accounts: Accounts;
  access: AccessTokens;
  entitlements: Entitlements;
  devices: Devices;
  usage: UsageService;
  signingKeys: SigningKey[];
  billing: BillingDeps;
  logger: Logger;
};

/**
 * The companion server's HTTP handler: the read lane answers the hot bodiless GETs, the Express
 * application everything else. Routes come from contracts/api.ts, which also says which need a
 * signed-in user (http/route.ts); services decide, and http/errors.ts turns their refusals into
 * statuses. Built by a factory so tests and `npm run server` wire the same thing.
 */
export function createApp(deps: AppDeps): RequestListener {
  const securityHeaders = helmetHeaders();
  const publicKeys = jwks(deps.signingKeys);
  const lane = Object.fromEntries([
    laneRoute(deps.access, api.healthz, () => ({ body: { status: 'ok' } })),
    laneRoute(deps.access, api.readyz, async () => {
      try {
        await sql`select 1`.execute(deps.db);
        return { body: { status: 'ready', database: true } };
      } catch {
        return { status: 503, body: { status: 'unavailable', database: false } };
      }
    }),
    laneRoute(deps.access, api.jwks, () => ({
      body: publicKeys,
      headers: { 'Cache-Control': 'public, max-age=300' },
    })),
    laneRoute(deps.access, api.me, async ({ userId }) => ({
      body: { user: await deps.accounts.me(userId) },
    })),
    laneRoute(deps.access, api.billingMe, async ({ userId }) => ({
      body: await deps.entitlements.billingMe(userId),
    })),
  ]);
  return withReadLane(lane, expressApp(deps, securityHeaders), { securityHeaders, logger: deps.logger });
}

/** Everything that is not a hot read: bodies, the Stripe webhook, checkout and the return page. */
function expressApp(deps: AppDeps, securityHeaders: SecurityHeaders): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    setSecurityHeaders(res, securityHeaders);
    trackRequest(deps.logger, req, res);
    next();
  });
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
  route(api.usageGrant, ({ userId, body }) =>
    deps.usage.grant(userId, body.kind, body.idempotencyKey, body.deviceId),
  );
  route(api.usageGrantCommit, ({ userId, body }) => deps.usage.commit(userId, body.grant));
  route(api.usageGrantRelease, ({ userId, body }) => deps.usage.release(userId, body.grant));
  route(api.usageGrantRenew, ({ userId, body }) => deps.usage.renew(userId, body.grant));
  route(api.usageOffline, ({ userId, body }) => deps.usage.reportOffline(userId, body.uses));
  registerBillingRoutes(app, deps.billing, route);

  app.use((req, _res, next) => next(new DomainError('not_found', `No route ${req.method} ${req.path}.`)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const reply = errorReplyOf(err);
    if (!reply) deps.logger.error({ err, path: req.path }, 'unhandled error');
    const { status, body, headers } = reply ?? internalErrorReply();
    res.set(headers).status(status).json(body);
  });
  return app;
}

/** Express's own body-parser failures are refusals like the services' ones; anything else is not. */
function errorReplyOf(err: unknown): ErrorReply | null {
  if (err instanceof DomainError) return errorReply(err);
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed')
    return errorReply(new DomainError('malformed_json', 'The request body is not valid JSON.'));
  if (type === 'entity.too.large')
    return errorReply(new DomainError('payload_too_large', 'The request body is too large.'));
  return null;
}
