import type { IncomingMessage } from 'node:http';
import type { Express, Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiRoute } from '../../contracts/api';
import { DomainError } from '../domain/errors';
import type { AccessTokens } from '../security/access-tokens';
import type { ReadRoute, Reply } from './read-lane';
import { parseBody } from './validate';

/** The signed-in user a bearer token names; anything else is refused as `unauthorized`. */
export function authenticate(access: AccessTokens, authorization: string | undefined): string {
  const header = authorization ?? '';
  const id = header.startsWith('Bearer ') ? access.verify(header.slice(7)) : null;
  if (!id) throw new DomainError('unauthorized', 'Please sign in.');
  return id;
}

type UserOf<R extends ApiRoute> = R['auth'] extends true ? string : undefined;
type BodyOf<R extends ApiRoute> = R['request'] extends z.ZodType ? z.output<R['request']> : undefined;
export type RouteContext<R extends ApiRoute> = {
  userId: UserOf<R>;
  body: BodyOf<R>;
  req: Request;
  res: Response;
};
/** Registers one route of contracts/api.ts; the handler returns the JSON body. */
export type RegisterRoute = <R extends ApiRoute>(
  route: R,
  handler: (ctx: RouteContext<R>) => Promise<unknown>,
  opts?: { status?: number },
) => void;

/**
 * Routes come from the route table, and so does their checking: a route with `auth: true` answers
 * 401 before its handler runs (and before its body is looked at), and the body is parsed with the
 * route's request schema. A new route cannot forget either.
 */
export function routeRegistrar(app: Express, access: AccessTokens): RegisterRoute {
  return (route, handler, { status = 200 } = {}) => {
    const answer = async (req: Request, res: Response): Promise<void> => {
      const userId = route.auth ? authenticate(access, req.get('authorization')) : undefined;
      // A GET route's request is its query string; a POST route's, its JSON body.
      const body = route.request
        ? parseBody(route.request, route.method === 'GET' ? req.query : req.body)
        : undefined;
      // The conditional types above say what these two are for this route; TypeScript cannot follow it.
      const ctx = { userId, body, req, res } as RouteContext<typeof route>;
      res.status(status).json(await handler(ctx));
    };
    if (route.method === 'GET') app.get(route.path, answer);
    else app.post(route.path, answer);
  };
}

/** A bodiless GET of the route table that may take the read lane. */
type ReadApiRoute = ApiRoute & { method: 'GET'; request: null };

/** A read-lane entry for `route`, authenticated by its `auth` flag like every other route. */
export function laneRoute<R extends ReadApiRoute>(
  access: AccessTokens,
  route: R,
  handler: (ctx: { userId: UserOf<R>; req: IncomingMessage }) => Reply | Promise<Reply>,
): [string, ReadRoute] {
  return [
    route.path,
    (req) => {
      const userId = (route.auth ? authenticate(access, req.headers.authorization) : undefined) as UserOf<R>;
      return handler({ userId, req });
    },
  ];
}
