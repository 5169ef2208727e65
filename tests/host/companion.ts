// The real companion server for main-process tests, behind a small HTTP relay that can play
// "unreachable" (connections cut) and, until the server has its billing routes, answers
// checkout/portal/plans the way the contract says so the app side can be tested end to end.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AuthResponse, CheckoutRequest, type PlanPrice } from '../../contracts/api';
import type { Plan } from '../../contracts/plan';
import { loadConfig } from '../../server/config';
import { type RunningServer, startServer } from '../../server/index';
import { freshDatabase, type TestDatabase } from '../support/databases';

export type Companion = {
  /** What the app talks to (the relay). */
  url: string;
  server: RunningServer;
  database: TestDatabase;
  dataDir: string;
  /** While off, every connection is cut: fetch fails as on a dead network. */
  setReachable(on: boolean): void;
  /** The server's clock (the app's clock is separate). */
  advanceServerClock(ms: number): void;
  register(email?: string, password?: string): Promise<AuthResponse>;
  setPlan(userId: string, plan: Plan): Promise<void>;
  /** Checkout requests the billing stand-in received, and where its URLs point. */
  checkouts: CheckoutRequest[];
  setCheckoutOrigin(origin: string): void;
  close(): Promise<void>;
};

export const SHIM_PRICES: PlanPrice[] = [
  {
    id: 'price_shim_monthly',
    interval: 'month',
    unitAmount: 999,
    currency: 'eur',
    productName: 'Siberia Mix Pro',
  },
  {
    id: 'price_shim_annual',
    interval: 'year',
    unitAmount: 9999,
    currency: 'eur',
    productName: 'Siberia Mix Pro',
  },
];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startCompanion(env: Record<string, string> = {}): Promise<Companion> {
  const database = await freshDatabase('sqlite');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'siberia-companion-'));
  let offsetMs = 0;
  const server = await startServer(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      AUTH_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
      ...env,
    }),
    { db: database.db, logger: pino({ level: 'silent' }), now: () => new Date(Date.now() + offsetMs) },
  );
  let reachable = true;
  let checkoutOrigin = 'https://checkout.stripe.com';
  const checkouts: CheckoutRequest[] = [];
  const hasBilling = (await fetch(`${server.url}/api/billing/plans`)).status !== 404;

  const authorized = async (req: IncomingMessage): Promise<boolean> =>
    (await fetch(`${server.url}/api/me`, { headers: { authorization: req.headers.authorization ?? '' } })).ok;

  /** The contract's billing routes, for as long as the server does not have them. */
  const billing = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> => {
    if (hasBilling) return false;
    if (req.method === 'GET' && req.url === '/api/billing/plans') {
      send(res, 200, { prices: SHIM_PRICES });
      return true;
    }
    if (req.method !== 'POST' || (req.url !== '/api/billing/checkout' && req.url !== '/api/billing/portal'))
      return false;
    if (!(await authorized(req))) {
      send(res, 401, { error: { code: 'unauthorized', message: 'Please sign in.' } });
      return true;
    }
    if (req.url === '/api/billing/portal') {
      send(res, 200, { url: 'https://billing.stripe.com/p/session/test_shim' });
      return true;
    }
    const parsed = CheckoutRequest.safeParse(JSON.parse(body.toString() || '{}'));
    if (!parsed.success) {
      send(res, 400, { error: { code: 'validation_error', message: 'bad checkout request' } });
      return true;
    }
    checkouts.push(parsed.data);
    send(res, 200, { url: `${checkoutOrigin}/c/pay/cs_test_${randomBytes(8).toString('hex')}` });
    return true;
  };

  const relay: Server = createServer(async (req, res) => {
    if (!reachable) {
      req.socket.destroy();
      return;
    }
    try {
      const body = await readBody(req);
      if (await billing(req, res, body)) return;
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type', 'accept']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const upstream = await fetch(`${server.url}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body),
      });
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'text/plain',
      });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      req.socket.destroy();
    }
  });
  relay.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;

  return {
    url,
    server,
    database,
    dataDir,
    checkouts,
    setReachable(on) {
      reachable = on;
      if (!on) relay.closeAllConnections();
    },
    advanceServerClock(ms) {
      offsetMs += ms;
    },
    async register(
      email = `user_${randomBytes(4).toString('hex')}@example.com`,
      password = 'a long password',
    ) {
      const res = await fetch(`${server.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      return AuthResponse.parse(await res.json());
    },
    async setPlan(userId, plan) {
      await database.db
        .updateTable('users')
        .set({ plan, subscription_status: plan === 'free' ? null : 'active' })
        .where('id', '=', userId)
        .execute();
    },
    setCheckoutOrigin(origin) {
      checkoutOrigin = origin;
    },
    async close() {
      await new Promise<void>((resolve) => {
        relay.close(() => resolve());
        relay.closeAllConnections();
      });
      await server.close();
      await database.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
