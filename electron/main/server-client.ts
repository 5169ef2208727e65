import type { z } from 'zod';
import { api, type RouteName, type RouteRequest, type RouteResponse } from '../../contracts/api';
import { ErrorBody, type ErrorCode } from '../../contracts/errors';

/** The server answered with an error body (or something that was not one of ours). */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/** The server could not be reached (network down, refused, timed out, or a gateway in between said so). */
export class ServerUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerUnreachable';
  }
}

export type ServerClientOptions = {
  baseUrl: () => string;
  fetch?: typeof fetch;
  timeoutMs?: number;
};

/**
 * Calls the companion server by route name from the contracts table: the request body is validated
 * before it leaves, the response is parsed before anyone believes it.
 */
export class ServerClient {
  private readonly fetchImpl: typeof fetch;
  constructor(private readonly opts: ServerClientOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
  }

  async call<R extends RouteName>(
    route: R,
    body: RouteRequest<R>,
    accessToken?: string,
  ): Promise<RouteResponse<R>> {
    const spec = api[route];
    const headers: Record<string, string> = { accept: 'application/json' };
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    let payload: string | undefined;
    if (spec.method === 'POST') {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(spec.request ? (spec.request as z.ZodType).parse(body) : {});
    }
    const url = new URL(spec.path, this.opts.baseUrl());
    if (spec.method === 'GET' && spec.request) {
      // A GET route's request travels as its query string.
      const query = (spec.request as z.ZodType).parse(body ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url.toString(), {
        method: spec.method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (e) {
      throw new ServerUnreachable(`${spec.method} ${spec.path}: ${(e as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const err = ErrorBody.safeParse(json);
      if (err.success) {
        throw new ServerError(
          res.status,
          err.data.error.code,
          err.data.error.message,
          err.data.error.details,
        );
      }
      // A proxy or load balancer answering for a server that is down.
      if (res.status === 502 || res.status === 503 || res.status === 504)
        throw new ServerUnreachable(`${spec.method} ${spec.path}: HTTP ${res.status}`);
      throw new ServerError(
        res.status,
        'internal',
        `Unexpected answer from the server (HTTP ${res.status}).`,
      );
    }
    const parsed = (spec.response as z.ZodType).safeParse(json);
    if (!parsed.success)
      throw new ServerError(
        res.status,
        'internal',
        `The server's answer to ${spec.path} did not match the contract.`,
      );
    return parsed.data as RouteResponse<R>;
  }

  async jwks(): Promise<unknown> {
    return this.call('jwks', undefined);
  }
}
