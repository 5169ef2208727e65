import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { runDueWork } from './billing';
import { AFTER_FAILED_RETRIES, type AfterFailedRetries, Core } from './core';
import { type DeliveryAttempt, type DeliveryOptions, WebhookDelivery } from './delivery';
import { handleHosted } from './hosted';
import { handleApi, readBody } from './server';
import { badParam, StripeApiError } from './errors';
import { closeDispute, openDispute } from './payments';
import { render, Store, type StripeObject } from './store';

export type { DeliveryOptions, DeliveryAttempt };
export { signPayload } from './delivery';

export type EmulatorOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Signs what goes to `forwardTo`; generated when absent. */
  webhookSecret?: string;
  /** A JSON file that keeps every object across restarts. */
  statePath?: string;
  forwardTo?: string | null;
  delivery?: DeliveryOptions;
};

export type StripeEmulator = {
  url: string;
  port: number;
  webhookSecret: string;
  /** The real stripe SDK, pointed at this emulator. */
  stripe(): Stripe;
  setForwardTo(url: string | null): void;
  setDelivery(opts: DeliveryOptions): void;
  /** Moves the emulator's clock (objects not on a test clock) forward: renewals, retries, expiries. */
  advanceTime(seconds: number): Promise<void>;
  /** Resolves when no webhook delivery is queued, waiting for a retry or in flight. */
  idle(): Promise<void>;
  deliveries(): DeliveryAttempt[];
  reset(): void;
  stop(): Promise<void>;
};

/** The real stripe SDK against an emulator URL (any test key works). */
export function stripeClientFor(url: string, secretKey = 'sk_test_emulator'): Stripe {
  const u = new URL(url);
  return new Stripe(secretKey, {
    host: u.hostname,
    port: Number(u.port || 80),
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body, null, 2));
}

/**
 * The bank's side of a dispute, which no API call of Stripe's can make: `POST /_emulator/disputes
 * {charge, reason?}` opens one (`charge.dispute.created`), `POST /_emulator/disputes/:id/close
 * {status: 'won' | 'lost'}` closes it (`charge.dispute.closed`).
 */
function disputeHelper(core: Core, pathname: string, input: Record<string, unknown>): StripeObject {
  const close = /^\/_emulator\/disputes\/([^/]+)\/close$/.exec(pathname);
  if (close) {
    const status = input.status;
    if (status !== 'won' && status !== 'lost') throw badParam('status', "status: 'won' or 'lost'");
    return closeDispute(core, core.find('dispute', decodeURIComponent(close[1] as string)), status);
  }
  if (typeof input.charge !== 'string') throw badParam('charge', 'charge: the id of a succeeded charge');
  if (input.reason !== undefined && typeof input.reason !== 'string')
    throw badParam('reason', 'reason: a string');
  return openDispute(core, core.find('charge', input.charge, 'charge', 'charge'), input.reason);
}

/** A stateful local Stripe over real HTTP: the API, the hosted pages and signed webhook delivery. */
export async function startStripeEmulator(opts: EmulatorOptions = {}): Promise<StripeEmulator> {
  const store = new Store(opts.statePath);
  const delivery = new WebhookDelivery(opts.delivery);
  let baseUrl = '';
  const core = new Core(store, delivery, () => baseUrl);
  const webhookSecret = opts.webhookSecret ?? `whsec_${randomBytes(24).toString('hex')}`;
  const setForwardTo = (url: string | null) => {
    core.forwardTo = url ? { url, secret: webhookSecret } : null;
  };
  setForwardTo(opts.forwardTo ?? null);
  const advance = (seconds: number) => {
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new Error('advanceTime takes a number of seconds ≥ 0');
    store.offsetSec += Math.floor(seconds);
    runDueWork(core);
    store.save();
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith('/_emulator/')) return false;
    const route = `${req.method} ${url.pathname}`;
    const body = req.method === 'POST' ? await readBody(req) : '';
    let input: Record<string, unknown> = {};
    try {
      input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      json(res, 400, { error: { type: 'invalid_request_error', message: 'The body must be JSON.' } });
      return true;
    }
    if (route === 'GET /_emulator/deliveries') json(res, 200, { data: delivery.attempts });
    else if (route === 'POST /_emulator/reset') {
      store.clear();
      delivery.clear();
      store.save();
      json(res, 200, { ok: true });
    } else if (route === 'POST /_emulator/advance') {
      const seconds = Number(input.seconds);
      if (!Number.isFinite(seconds) || seconds < 0)
        json(res, 400, { error: { type: 'invalid_request_error', message: 'seconds: a number ≥ 0' } });
      else {
        advance(seconds);
        json(res, 200, { now: core.now() });
      }
    } else if (route === 'POST /_emulator/delivery') {
      try {
        delivery.configure(input as DeliveryOptions);
        json(res, 200, { ok: true });
      } catch (err) {
        json(res, 400, {
          error: { type: 'invalid_request_error', message: err instanceof Error ? err.message : String(err) },
        });
      }
    } else if (route === 'POST /_emulator/billing') {
      const after = input.afterFailedRetries;
      if (!AFTER_FAILED_RETRIES.includes(after as AfterFailedRetries))
        json(res, 400, {
          error: {
            type: 'invalid_request_error',
            message: `afterFailedRetries: one of ${AFTER_FAILED_RETRIES.join(', ')}`,
          },
        });
      else {
        core.afterFailedRetries = after as AfterFailedRetries;
        json(res, 200, { afterFailedRetries: core.afterFailedRetries });
      }
    } else if (
      route === 'POST /_emulator/disputes' ||
      /^POST \/_emulator\/disputes\/[^/]+\/close$/.test(route)
    ) {
      try {
        json(res, 200, render(disputeHelper(core, url.pathname, input)));
        store.save();
      } catch (err) {
        if (!(err instanceof StripeApiError)) throw err;
        json(res, err.status, err.body());
      }
    } else if (route === 'GET /_emulator/health') json(res, 200, { ok: true, now: core.now() });
    else
      json(res, 404, {
        error: { type: 'invalid_request_error', message: `Unknown emulator route ${route}` },
      });
    return true;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    void (async () => {
      try {
        if (url.pathname.startsWith('/v1/')) await handleApi(core, req, res, url);
        else if (await admin(req, res, url)) return;
        else if (await handleHosted(core, req, res, url)) return;
        else
          json(res, 404, {
            error: {
              type: 'invalid_request_error',
              message: `Unrecognized request URL (${req.method}: ${url.pathname}).`,
            },
          });
      } catch (err) {
        if (!res.headersSent)
          json(res, 500, {
            error: { type: 'api_error', message: err instanceof Error ? err.message : String(err) },
          });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  return {
    url: baseUrl,
    port,
    webhookSecret,
    stripe: () => stripeClientFor(baseUrl),
    setForwardTo,
    setDelivery: (o) => delivery.configure(o),
    advanceTime: async (seconds) => advance(seconds),
    idle: () => delivery.idle(),
    deliveries: () => [...delivery.attempts],
    reset: () => {
      store.clear();
      delivery.clear();
      store.save();
    },
    stop: async () => {
      delivery.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
