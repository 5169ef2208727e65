import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** The request's path without its query string, as the log line names it. */
export function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/**
 * Gives the response an X-Request-Id and logs one line when it is sent: id, method, path (never the
 * query string, which could carry a session id), status and milliseconds.
 */
export function trackRequest(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  /** Also told of each answer (metrics), with its seconds. */
  onAnswered?: (status: number, seconds: number) => void,
): void {
  const id = randomUUID();
  res.setHeader('X-Request-Id', id);
  const started = performance.now();
  res.once('finish', () => {
    const ms = performance.now() - started;
    logger.info(
      { reqId: id, method: req.method, path: pathOf(req.url), status: res.statusCode, ms: Math.round(ms) },
      'request',
    );
    onAnswered?.(res.statusCode, ms / 1000);
  });
}
