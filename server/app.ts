import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import {
  api,
  Credentials,
  EntitlementTokenRequest,
  LoginRequest,
  LogoutRequest,
  OfflineUsageRequest,
  RefreshRequest,
  UsageGrantRequest,
} from '../contracts/api';
import { errorBody } from '../contracts/errors';
import { sql } from 'kysely';
import type { Db } from './db/connect';
import { HttpError } from './http/errors';
import { parseBody } from './http/validate';
import { type ReadRoute, withReadLane } from './http/read-lane';
import { trackRequest } from './http/request-log';
import { helmetHeaders, type SecurityHeaders, setSecurityHeaders } from './http/security-headers';
import type { AccessTokens } from './security/access-tokens';
import { jwks, type SigningKey } from './security/signing-keys';
import type { Entitlements } from './services/entitlements';
import type { UsageService } from './services/usage';
import type { Accounts } from './services/accounts';
import { type BillingDeps, registerBillingRoutes, registerStripeWebhook } from './routes/billing';

export type AppDeps = {
  db: Db;
  accounts: Accounts;
  access: AccessTokens;
  entitlements: Entitlements;
  usage: UsageService;
  signingKeys: SigningKey[];
  billing: BillingDeps;
  logger: Logger;
};

type Handler = (req: Request, res: Response) => Promise<unknown>;
/** Express 5 passes rejected promises to the error handler; this keeps handlers one line each. */
const json =
  (status: number, handler: Handler) =>
  async (req: Request, res: Response): Promise<void> => {
    res.status(status).json(await handler(req, res));
  };

/**
 * The companion server's HTTP handler: the read lane answers the hot bodiless GETs, the Express
 * application everything else. Routes validate with contracts/ and translate, services decide.
 * Built by a factory so tests and `npm run server` wire the same thing.
 */
export function createApp(deps: AppDeps): RequestListener {
  const securityHeaders = helmetHeaders();
  const userId = (authorization: string | undefined): string => {
    const header = authorization ?? '';
    const id = header.startsWith('Bearer ') ? deps.access.verify(header.slice(7)) : null;
    if (!id) throw new HttpError(401, 'unauthorized', 'Please sign in.');
    return id;
  };
  const publicKeys = jwks(deps.signingKeys);

  const reads: Record<string, ReadRoute> = {
    [api.healthz.path]: () => ({ body: { status: 'ok' } }),
    [api.readyz.path]: async () => {
      try {
        await sql`select 1`.execute(deps.db);
        return { body: { status: 'ready', database: true } };
      } catch {
        return { status: 503, body: { status: 'unavailable', database: false } };
      }
    },
    [api.jwks.path]: () => ({ body: publicKeys, headers: { 'Cache-Control': 'public, max-age=300' } }),
    [api.me.path]: async (req) => ({
      body: { user: await deps.accounts.me(userId(req.headers.authorization)) },
    }),
    [api.billingMe.path]: (req) =>
      deps.entitlements.billingMe(userId(req.headers.authorization)).then((body) => ({ body })),
  };
  return withReadLane(reads, expressApp(deps, securityHeaders, userId), {
    securityHeaders,
    logger: deps.logger,
  });
}

/** Everything that is not a hot read: bodies, the Stripe webhook, checkout and the return page. */
function expressApp(
  deps: AppDeps,
  securityHeaders: SecurityHeaders,
  userId: (authorization: string | undefined) => string,
): express.Express {
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

  const auth = async (req: Request): Promise<string> => userId(req.get('authorization'));

  app.post(
    api.register.path,
    json(201, async (req) => {
      const { email, password } = parseBody(Credentials, req.body);
      return deps.accounts.register(email, password);
    }),
  );
  app.post(
    api.login.path,
    json(200, async (req) => {
      const { email, password } = parseBody(LoginRequest, req.body);
      return deps.accounts.login(email, password, req.ip ?? 'unknown');
    }),
  );
  app.post(
    api.refresh.path,
    json(200, async (req) => deps.accounts.refresh(parseBody(RefreshRequest, req.body).refreshToken)),
  );
  app.post(
    api.logout.path,
    json(200, async (req) => {
      await auth(req);
      await deps.accounts.logout(parseBody(LogoutRequest, req.body).refreshToken);
      return { ok: true };
    }),
  );
  app.post(
    api.entitlementToken.path,
    json(200, async (req) => {
      const userId = await auth(req);
      return {
        token: await deps.entitlements.token(userId, parseBody(EntitlementTokenRequest, req.body).deviceId),
      };
    }),
  );
  app.post(
    api.usageGrant.path,
    json(200, async (req) => {
      const userId = await auth(req);
      const { kind, idempotencyKey, deviceId } = parseBody(UsageGrantRequest, req.body);
      return deps.usage.grant(userId, kind, idempotencyKey, deviceId);
    }),
  );
  app.post(
    api.usageOffline.path,
    json(200, async (req) => {
      const userId = await auth(req);
      return deps.usage.reportOffline(userId, parseBody(OfflineUsageRequest, req.body).uses);
    }),
  );
  registerBillingRoutes(app, deps.billing, auth);

  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `No route ${req.method} ${req.path}.`)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    if (err instanceof HttpError) {
      res
        .set(err.headers)
        .status(err.status)
        .json(errorBody(err.code, err.message, err.details));
    } else if (e.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('malformed_json', 'The request body is not valid JSON.'));
    } else if (e.type === 'entity.too.large') {
      res.status(413).json(errorBody('payload_too_large', 'The request body is too large.'));
    } else {
      deps.logger.error({ err, path: req.path }, 'unhandled error');
      res.status(500).json(errorBody('internal', 'Something went wrong on the server.'));
    }
  });
  return app;
}
