import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorBody } from '../../contracts/errors';
import { HttpError } from './errors';
import { pathOf, trackRequest } from './request-log';
import { type SecurityHeaders, setSecurityHeaders } from './security-headers';

export type Reply = { status?: number; body: unknown; headers?: Readonly<Record<string, string>> };
/** A bodiless GET: it reads the request's headers only. */
export type ReadRoute = (req: IncomingMessage) => Reply | Promise<Reply>;

/**
 * The read lane: bodiless GETs that every desktop app calls often (GET /api/billing/me on each
 * focus, the health probes) are answered straight from node:http, and every other request goes on
 * to the Express app. Express's dispatch alone costs more CPU than these routes' own work (an
 * HMAC and two indexed reads), and it is what kept /api/billing/me under 5,000 requests a second
 * on a 2-core machine. Replies carry what the Express app's carry: helmet's headers, an
 * X-Request-Id, the request log line and the one error shape. Express matches paths
 * case-insensitively and with or without a trailing slash; so does the lane.
 */
export function withReadLane(
  routes: Readonly<Record<string, ReadRoute>>,
  fallback: RequestListener,
  opts: { securityHeaders: SecurityHeaders; logger: Logger },
): RequestListener {
  const table = new Map(Object.entries(routes).map(([path, route]) => [path.toLowerCase(), route]));
  return (req, res) => {
    const route = req.method === 'GET' || req.method === 'HEAD' ? table.get(routeKey(req.url)) : undefined;
    if (!route) {
      fallback(req, res);
      return;
    }
    trackRequest(opts.logger, req, res);
    let reply: Reply | Promise<Reply>;
    try {
      reply = route(req);
    } catch (err) {
      sendError(res, err, req, opts);
      return;
    }
    if (reply instanceof Promise)
      reply.then(
        (r) => send(res, r, opts.securityHeaders),
        (err: unknown) => sendError(res, err, req, opts),
      );
    else send(res, reply, opts.securityHeaders);
  };
}

function routeKey(url: string | undefined): string {
  const path = pathOf(url).toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function send(res: ServerResponse, reply: Reply, securityHeaders: SecurityHeaders): void {
  const json = JSON.stringify(reply.body);
  setSecurityHeaders(res, securityHeaders);
  if (reply.headers) for (const name in reply.headers) res.setHeader(name, reply.headers[name] as string);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.statusCode = reply.status ?? 200;
  // Node leaves the body out of a HEAD reply by itself.
  res.end(json);
}

function sendError(
  res: ServerResponse,
  err: unknown,
  req: IncomingMessage,
  opts: { securityHeaders: SecurityHeaders; logger: Logger },
): void {
  if (err instanceof HttpError) {
    send(
      res,
      { status: err.status, body: errorBody(err.code, err.message, err.details), headers: err.headers },
      opts.securityHeaders,
    );
    return;
  }
  opts.logger.error({ err, path: pathOf(req.url) }, 'unhandled error');
  send(
    res,
    { status: 500, body: errorBody('internal', 'Something went wrong on the server.') },
    opts.securityHeaders,
  );
}
