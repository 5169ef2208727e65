import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
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
 * The companion server's Express application: routes validate with contracts/ and translate,
 * services decide. Built by a factory so tests and `npm run server` wire the same thing.
 */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use((req, res, next) => {
    const id = randomUUID();
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    res.on('finish', () =>
      deps.logger.info(
        {
          reqId: id,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      ),
    );
    next();
  });
  // The webhook reads its raw body, so it comes before the JSON parser.
  registerStripeWebhook(app, deps.billing);
  app.use(express.json({ limit: '100kb' }));

  const auth = async (req: Request): Promise<string> => {
    const header = req.get('authorization') ?? '';
    const userId = header.startsWith('Bearer ') ? await deps.access.verify(header.slice(7)) : null;
    if (!userId) throw new HttpError(401, 'unauthorized', 'Please sign in.');
    return userId;
  };

  app.get(api.healthz.path, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(api.readyz.path, async (_req, res) => {
    try {
      await sql`select 1`.execute(deps.db);
      res.json({ status: 'ready', database: true });
    } catch {
      res.status(503).json({ status: 'unavailable', database: false });
    }
  });

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
  app.get(
    api.me.path,
    json(200, async (req) => ({ user: await deps.accounts.me(await auth(req)) })),
  );

  app.get(api.jwks.path, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(jwks(deps.signingKeys));
  });
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
  app.get(
    api.billingMe.path,
    json(200, async (req) => deps.entitlements.billingMe(await auth(req))),
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
