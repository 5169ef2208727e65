import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { api, type ProQuotas, CheckoutState, paths } from '../../contracts/api';
import { CheckoutSessionId, formatDeepLink } from '../../contracts/deeplink';
import { errorBody } from '../../contracts/errors';
import { databaseFault } from '../db/health';
import { PaymentsNotConfigured } from '../domain/errors';
import { AddressLimit } from '../http/address-limit';
import { pickLocale, type ReturnKind, returnPage } from '../http/return-page';
import type { RegisterRoute } from '../http/route';
import { type Metrics, outcomeClass } from '../metrics';
import { type Billing, stripeUnavailable } from '../services/billing';
import type { StripeWebhooks } from '../services/stripe-webhooks';
import type { PriceCatalog } from '../stripe/prices';

/** Visits of /checkout/return per client address and minute that may look a session up. */
export const CHECKOUT_RETURNS_PER_MINUTE = 10;

export type BillingDeps = {
  /** Null when no Stripe key is configured: the billing routes then answer 503. */
  billing: Billing | null;
  webhooks: StripeWebhooks | null;
  prices: PriceCatalog | null;
  appScheme: string;
  /** Pro's monthly quotas, shown on the pricing grid as numbers. */
  quotas: ProQuotas;
  logger: Logger;
  metrics?: Metrics | null;
};

/**
 * POST /api/webhooks/stripe: registered before any JSON parser, since the signature covers the
 * raw bytes. Bad, missing, stale or future signatures are 400 and change nothing; a signed event
 * that can never be handled is recorded and 200; a passing failure while acting is a 500 (503 for
 * the database) so that Stripe retries.
 */
export function registerStripeWebhook(app: Express, deps: BillingDeps): void {
  app.post(
    paths.webhook,
    express.raw({ type: () => true, limit: '1mb' }),
    async (req: Request, res: Response) => {
      if (!deps.webhooks) throw new PaymentsNotConfigured();
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let event: ReturnType<StripeWebhooks['verify']>;
      try {
        event = deps.webhooks.verify(raw, req.get('stripe-signature'));
      } catch (err) {
        deps.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'webhook refused');
        deps.metrics?.webhook('(unverified)', 'refused');
        throw err;
      }
      try {
        const result = await deps.webhooks.receive(event, raw);
        deps.logger.info({ eventId: event.id, type: event.type, ...result }, 'webhook');
        deps.metrics?.webhook(String(event.type), outcomeClass(result.outcome, result.duplicate));
        res.json({ received: true, duplicate: result.duplicate });
      } catch (err) {
        deps.metrics?.webhook(String(event.type), 'failed');
        // The database's outage is the error handler's 503; Stripe retries that as any other.
        if (databaseFault(err)) throw err;
        deps.metrics?.stripeError('webhook');
        deps.logger.error(
          { eventId: event.id, type: event.type, err: err instanceof Error ? err.message : String(err) },
          'webhook failed; Stripe will retry',
        );
        res.status(500).json(errorBody('internal', 'The event could not be processed; it will be retried.'));
      }
    },
  );
}

export function registerBillingRoutes(app: Express, deps: BillingDeps, route: RegisterRoute): void {
  const billing = () => {
    if (!deps.billing) throw new PaymentsNotConfigured();
    return deps.billing;
  };

  route(api.plans, async ({ res }) => {
    if (!deps.prices) throw new PaymentsNotConfigured();
    const prices = await deps.prices.planPrices().catch((e) => {
      throw stripeUnavailable(e);
    });
    res.set('Cache-Control', 'public, max-age=60');
    return { prices, quotas: deps.quotas };
  });
  route(api.checkout, ({ userId, body }) => billing().checkout(userId, body.priceId, body.state));
  route(api.portal, ({ userId }) => billing().portal(userId));
  route(api.invoices, ({ userId, body }) => billing().invoices(userId, body.limit, body.after));

  const page = (req: Request, res: Response, status: number, kind: ReturnKind, link: string | null) => {
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(returnPage(pickLocale(req.get('accept-language')), kind, link));
  };

  // Each visit may cost a Stripe lookup: a browser needs one or two, a script gets no more than this.
  const returnLimit = new AddressLimit(CHECKOUT_RETURNS_PER_MINUTE, 60_000);
  app.get(paths.checkoutReturn, async (req, res) => {
    const state = CheckoutState.safeParse(req.query.state);
    if (!state.success) return page(req, res, 400, 'invalid', null);
    if (req.query.status === 'cancel')
      return page(
        req,
        res,
        200,
        'cancel',
        formatDeepLink({ route: 'checkout/cancel', state: state.data }, deps.appScheme),
      );
    const sessionId = CheckoutSessionId.safeParse(req.query.session_id);
    if (!sessionId.success) return page(req, res, 400, 'invalid', null);
    // The app trusts no link: it asks the server again, so the link is safe to hand on even unconfirmed.
    const link = formatDeepLink(
      { route: 'checkout/success', sessionId: sessionId.data, state: state.data },
      deps.appScheme,
    );
    if (!deps.billing) return page(req, res, 503, 'unavailable', link);
    const wait = returnLimit.take(req.ip ?? 'unknown');
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      return page(req, res, 429, 'unavailable', link);
    }
    try {
      const confirmed = await deps.billing.confirmCheckout(sessionId.data, state.data);
      if (!confirmed) return page(req, res, 404, 'invalid', null);
      const pro = confirmed.outcome !== null && confirmed.outcome.plan !== 'free';
      return page(req, res, 200, pro ? 'success' : 'pending', link);
    } catch (err) {
      const e = err as { statusCode?: number };
      if (e.statusCode === 404) return page(req, res, 404, 'invalid', null);
      deps.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'checkout return: Stripe unavailable',
      );
      return page(req, res, 502, 'unavailable', link);
    }
  });

  app.get(paths.portalReturn, (req, res) =>
    page(req, res, 200, 'portal', formatDeepLink({ route: 'portal/return' }, deps.appScheme)),
  );
}
