import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../contracts/errors';
import { DomainError } from '../domain/errors';
import { type ReadRoute, withReadLane } from './read-lane';
import { trackRequest } from './request-log';
import { helmetHeaders } from './security-headers';

/** Headers that differ from one response to the next or between the lane and Express. */
const PER_RESPONSE = new Set(['date', 'etag', 'content-length', 'x-request-id', 'connection', 'keep-alive']);
const stable = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => !PER_RESPONSE.has(name)).sort());

describe('the read lane', () => {
  let server: Server;
  let base = '';
  const logLines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );

  beforeAll(async () => {
    // The fallback is an Express app with helmet itself: what the lane must look like.
    const app = express();
    app.disable('x-powered-by');
    app.use(helmet());
    app.use((req, res, next) => {
      trackRequest(logger, req, res);
      next();
    });
    app.get('/express', (_req, res) => {
      res.json({ from: 'express' });
    });
    app.use((req, res) => {
      res.status(404).json({ from: 'express', path: req.path, method: req.method });
    });
    const routes: Record<string, ReadRoute> = {
      '/fast': (req) => ({ body: { from: 'lane', auth: req.headers.authorization ?? null } }),
      '/later': async () => ({
        body: { from: 'lane', later: true },
        headers: { 'Cache-Control': 'no-store' },
      }),
      '/throttled': () => {
        throw new DomainError('rate_limited', 'Slow down.', { in: 3 }, 3);
      },
      '/gone': async () => {
        throw new DomainError('unauthorized', 'Please sign in.');
      },
      '/broken': async () => {
        throw new Error('database exploded');
      },
    };
    const listener: RequestListener = withReadLane(routes, app, { securityHeaders: helmetHeaders(), logger });
    server = createServer(listener).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers its routes with the same headers helmet gives an Express reply, and a request id', async () => {
    const lane = await fetch(`${base}/fast`, { headers: { authorization: 'Bearer abc' } });
    const viaExpress = await fetch(`${base}/express`);
    expect(await lane.json()).toEqual({ from: 'lane', auth: 'Bearer abc' });
    expect(await viaExpress.json()).toEqual({ from: 'express' });
    expect(stable(lane.headers)).toEqual(stable(viaExpress.headers));
    expect(lane.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(lane.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const id = lane.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(`${base}/fast`)).headers.get('x-request-id')).not.toBe(id);
  });

  it('matches as Express does: any query string, a trailing slash, any case; HEAD has no body', async () => {
    for (const path of ['/fast?session_id=cs_1', '/fast/', '/FAST']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ from: 'lane' });
    }
    const head = await fetch(`${base}/fast`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
  });

  it('leaves other methods and paths to Express, body and all', async () => {
    const post = await fetch(`${base}/fast`, { method: 'POST', body: '{"a":1}' });
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({ from: 'express', path: '/fast', method: 'POST' });
    const other = await fetch(`${base}/fast/deeper`);
    expect(await other.json()).toMatchObject({ from: 'express', path: '/fast/deeper' });
  });

  it('answers thrown and rejected errors in the one error shape, with their headers', async () => {
    const throttled = await fetch(`${base}/throttled`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(ErrorBody.parse(await throttled.json()).error).toEqual({
      code: 'rate_limited',
      message: 'Slow down.',
      details: { in: 3 },
    });
    const gone = await fetch(`${base}/gone`);
    expect(gone.status).toBe(401);
    expect(ErrorBody.parse(await gone.json()).error.code).toBe('unauthorized');
    expect(gone.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('hides an unexpected failure behind a 500 and logs it', async () => {
    const broken = await fetch(`${base}/broken`);
    expect(broken.status).toBe(500);
    const body = ErrorBody.parse(await broken.json());
    expect(body.error.code).toBe('internal');
    expect(JSON.stringify(body)).not.toContain('exploded');
    expect(logLines.some((l) => l.msg === 'unhandled error' && JSON.stringify(l).includes('exploded'))).toBe(
      true,
    );
  });

  it('logs one line per request with the path and never the query string', async () => {
    logLines.length = 0;
    const res = await fetch(`${base}/later?session_id=cs_secret`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    await res.json();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = logLines.find((l) => l.msg === 'request');
    expect(line).toMatchObject({
      method: 'GET',
      path: '/later',
      status: 200,
      reqId: res.headers.get('x-request-id'),
    });
    expect(JSON.stringify(logLines)).not.toContain('cs_secret');
  });
});
