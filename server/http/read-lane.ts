import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors';
import { errorReply, internalErrorReply } from './errors';
import { pathOf, trackRequest } from './request-log';
import { type SecurityHeaders, setSecurityHeaders } from './security-headers';

type LaneOptions = {
  securityHeaders: SecurityHeaders;
  logger: Logger;
  /** The refusal an error that is not a DomainError stands for (a database outage), if any. */
  refusalFor?: (err: unknown) => DomainError | null;
  /** Told of each answer with the route's pattern (metrics). */
  onAnswered?: (route: string, method: string, status: number, seconds: number) => void;
};

export type Reply = { status?: number; body: unknown; headers?: Readonly<Record<string, string>> };
/** A bodiless GET: it reads the request's headers only. */
export type ReadRoute = (req: IncomingMessage) => Reply | Promise<Reply>;

/**
 * The read lane answers straight from node:http, before Express, and hands every other request on to
 * the Express app. A route may take it only if it is
 * - bodiless: a GET (or HEAD) that reads the path and headers only, so no body parser is needed;
 * - hot: the desktop app calls it often (GET /api/billing/me on each focus, the health probes), so
 *   Express's dispatch would cost more than the route's own work;
 * - free of Express middleware: nothing but what the lane itself gives every reply, which is what
 *   the Express app gives its replies too: helmet's headers, an X-Request-Id, the request log line,
 *   the one error shape with its status from http/errors.ts, and authentication by the route
 *   table's `auth` flag (http/route.ts).
 * Everything else (a body, a call to Stripe, a page, a route called now and then) goes through
 * Express. Paths match as Express matches them: case-insensitively, with or without a trailing slash.
 */
export function withReadLane(
  routes: Readonly<Record<string, ReadRoute>>,
  fallback: RequestListener,
  opts: LaneOptions,
): RequestListener {
  const table = new Map(Object.entries(routes).map(([path, route]) => [path.toLowerCase(), route]));
  return (req, res) => {
    const key = req.method === 'GET' || req.method === 'HEAD' ? routeKey(req.url) : '';
    const route = table.get(key);
    if (!route) {
      fallback(req, res);
      return;
    }
    const { onAnswered } = opts;
    trackRequest(
      opts.logger,
      req,
      res,
      onAnswered && ((status, seconds) => onAnswered(key, req.method as string, status, seconds)),
    );
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

function sendError(res: ServerResponse, err: unknown, req: IncomingMessage, opts: LaneOptions): void {
  const refusal = err instanceof DomainError ? err : (opts.refusalFor?.(err) ?? null);
  if (refusal) {
    send(res, errorReply(refusal), opts.securityHeaders);
    return;
  }
  opts.logger.error({ err, path: pathOf(req.url) }, 'unhandled error');
  send(res, internalErrorReply(), opts.securityHeaders);
}
