import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runDueWork } from './billing';
import type { Core } from './core';
import { StripeApiError } from './errors';
import { type FormObject, parseStripeForm } from './form';
import type { Route } from './params';
import { checkoutRoutes } from './resources/checkout';
import { customerRoutes } from './resources/customers';
import { endpointRoutes } from './resources/endpoints';
import { eventRoutes } from './resources/events';
import { invoiceRoutes } from './resources/invoices';
import { paymentRoutes } from './resources/payments';
import { portalRoutes } from './resources/portal';
import { priceRoutes } from './resources/prices';
import { productRoutes } from './resources/products';
import { subscriptionRoutes } from './resources/subscriptions';
import { testClockRoutes } from './resources/test-clocks';

const MAX_BODY = 1024 * 1024;

type Compiled = Route & { regex: RegExp; keys: string[] };
const compile = (r: Route): Compiled => {
  const keys: string[] = [];
  const pattern = r.path.replace(/:(\w+)/g, (_m, k: string) => {
    keys.push(k);
    return '([^/]+)';
  });
  return { ...r, regex: new RegExp(`^${pattern}$`), keys };
};

const apiRoutes = [
  ...customerRoutes,
  ...productRoutes,
  ...priceRoutes,
  ...checkoutRoutes,
  ...subscriptionRoutes,
  ...invoiceRoutes,
  ...paymentRoutes,
  ...portalRoutes,
  ...endpointRoutes,
  ...eventRoutes,
  ...testClockRoutes,
].map(compile);

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(
          new StripeApiError(
            413,
            'invalid_request_error',
            'request_too_large',
            'The request body is too large.',
          ),
        );
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_${randomBytes(8).toString('hex')}`,
    'stripe-version': headers['stripe-version'] ?? '',
    ...headers,
  });
  res.end(text);
}

function authorized(req: IncomingMessage): boolean {
  const header = req.headers.authorization ?? '';
  let key = '';
  if (header.startsWith('Bearer ')) key = header.slice(7).trim();
  else if (header.startsWith('Basic '))
    key = Buffer.from(header.slice(6), 'base64').toString().split(':')[0] ?? '';
  return /^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key);
}

/** The `/v1/…` API: Stripe's authentication, form bodies, idempotency and error shapes. */
export async function handleApi(
  core: Core,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const version = String(req.headers['stripe-version'] ?? '');
  const baseHeaders = { 'stripe-version': version || '' };
  try {
    if (!authorized(req)) {
      throw new StripeApiError(
        401,
        'invalid_request_error',
        undefined,
        'Invalid API Key provided. The emulator accepts test keys only (sk_test_…), sent as a Bearer token.',
      );
    }
    const method = req.method ?? 'GET';
    const text = method === 'POST' ? await readBody(req) : url.search.slice(1);
    const contentType = req.headers['content-type'] ?? '';
    if (method === 'POST' && text && !contentType.includes('application/x-www-form-urlencoded'))
      throw new StripeApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        'Request bodies must be form-encoded (application/x-www-form-urlencoded).',
      );
    const body: FormObject = parseStripeForm(text);
    let match: { route: Compiled; params: Record<string, string> } | null = null;
    for (const route of apiRoutes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(url.pathname);
      if (m) {
        match = {
          route,
          params: Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1] as string)])),
        };
        break;
      }
    }
    if (!match)
      throw new StripeApiError(
        404,
        'invalid_request_error',
        undefined,
        `Unrecognized request URL (${method}: ${url.pathname}).`,
      );

    const idemKey = method === 'POST' ? (req.headers['idempotency-key'] as string | undefined) : undefined;
    const fingerprint = createHash('sha256').update(`${method} ${url.pathname}\n${text}`).digest('hex');
    if (idemKey) {
      const seen = core.store.idempotency.get(idemKey);
      if (seen) {
        if (seen.fingerprint !== fingerprint)
          throw new StripeApiError(
            400,
            'idempotency_error',
            undefined,
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
          );
        send(res, seen.status, seen.body, {
          ...baseHeaders,
          'idempotent-replayed': 'true',
          'idempotency-key': idemKey,
        });
        return;
      }
    }
    runDueWork(core);
    const result = match.route.handler(core, { params: match.params, body });
    if (idemKey)
      core.store.idempotency.set(idemKey, { fingerprint, status: 200, body: result, at: Date.now() });
    if (method !== 'GET') core.store.save();
    send(res, 200, result, idemKey ? { ...baseHeaders, 'idempotency-key': idemKey } : baseHeaders);
  } catch (err) {
    const e =
      err instanceof StripeApiError
        ? err
        : new StripeApiError(
            500,
            'api_error',
            undefined,
            `The emulator failed: ${err instanceof Error ? err.message : String(err)}`,
          );
    send(res, e.status, e.body(), baseHeaders);
  }
}
