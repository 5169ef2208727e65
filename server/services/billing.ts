import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { type InvoiceSummary, type InvoicesResponse, paths } from '../../contracts/api';
import type { Db } from '../db/connect';
import type { UsersTable } from '../db/schema';
import { DomainError } from '../domain/errors';
import { isLive } from '../domain/plan-rule';
import type { PriceCatalog } from '../stripe/prices';
import type { CustomerSync, SyncOutcome } from './customer-sync';
import { requireUser } from './users';

/**
 * Automatic tax at Checkout, with what Stripe requires for it: the billing address collected (the
 * buyer's country decides the VAT), an existing customer's address and name updated from what is
 * typed, and a VAT number for businesses
 * (https://docs.stripe.com/tax/checkout, https://docs.stripe.com/tax/checkout/tax-ids).
 */
const AUTOMATIC_TAX = {
  automatic_tax: { enabled: true },
  billing_address_collection: 'required',
  customer_update: { address: 'auto', name: 'auto' },
  tax_id_collection: { enabled: true },
} as const satisfies Partial<Stripe.Checkout.SessionCreateParams>;

/** An open session is reused only while it has this long left before Stripe expires it. */
const REUSE_MARGIN_MS = 10 * 60_000;

/** Stripe's own failures (network, 5xx, rate limits) are "try again", never a crash. */
export function stripeUnavailable(err: unknown): DomainError {
  const message = err instanceof Error ? err.message : String(err);
  return new DomainError('stripe_unavailable', `Stripe could not be reached: ${message}`);
}

/**
 * Checkout and portal. One live subscription per customer, whatever the musician clicks: an open
 * session for the same price is handed back instead of a new one, a checkout is refused while
 * Stripe already has a live subscription, and once a session completes the others are expired.
 * (What still slips through, a race across servers, the sync cancels and refunds.)
 */
export class Billing {
  /** One customer creation at a time per user in this process; the idempotency key covers others. */
  private creating = new Map<string, Promise<string>>();

  constructor(
    private readonly deps: {
      db: Db;
      stripe: Stripe;
      prices: PriceCatalog;
      publicUrl: () => string;
      /** STRIPE_AUTOMATIC_TAX: Stripe Tax computes VAT from the address Checkout collects. */
      automaticTax: boolean;
      sync: CustomerSync;
      logger: Logger;
      now: () => Date;
    },
  ) {}

  /**
   * A Checkout page for one of the Pro prices. Answers the state the page will come back with: the
   * caller's, or that of the open session it reuses.
   */
  async checkout(userId: string, priceId: string, state: string): Promise<{ url: string; state: string }> {
    const prices = await this.deps.prices.resolve().catch((e) => {
      throw stripeUnavailable(e);
    });
    if (priceId !== prices.monthly && priceId !== prices.annual)
      throw new DomainError('invalid_price', 'That price is not one of the Pro prices.');
    const user = await requireUser(this.deps.db, userId);
    if (user.plan === 'studio') throw alreadySubscribed();
    const customer = await this.ensureCustomer(user);
    await this.refuseIfSubscribed(customer);
    const reused = await this.openSession(user.id, priceId);
    if (reused) return reused;
    const base = this.deps.publicUrl();
    const q = new URLSearchParams({ state });
    let session: Stripe.Checkout.Session;
    try {
      session = await this.deps.stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          customer,
          line_items: [{ price: priceId, quantity: 1 }],
          client_reference_id: user.id,
          metadata: { user_id: user.id },
          subscription_data: { metadata: { user_id: user.id } },
          // Stripe fills in {CHECKOUT_SESSION_ID}; it must stay unescaped.
          success_url: `${base}${paths.checkoutReturn}?session_id={CHECKOUT_SESSION_ID}&${q}`,
          cancel_url: `${base}${paths.checkoutReturn}?status=cancel&${q}`,
          allow_promotion_codes: true,
          ...(this.deps.automaticTax ? AUTOMATIC_TAX : {}),
        },
        { idempotencyKey: `siberia-checkout-${user.id}-${priceId}-${state}` },
      );
    } catch (err) {
      throw this.checkoutRefused(err);
    }
    if (!session.url) throw stripeUnavailable(new Error('Stripe answered a session without a URL'));
    await this.deps.db
      .insertInto('checkout_sessions')
      .values({
        id: session.id,
        user_id: user.id,
        price_id: priceId,
        state,
        url: session.url,
        status: 'open',
        created_at: this.deps.now().toISOString(),
        expires_at: new Date(session.expires_at * 1000).toISOString(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return { url: session.url, state };
  }

  /**
   * Stripe refused the session itself (a 4xx: tax settings missing, a price it will not sell): the
   * operator must act, so the log says it plainly and the musician hears that payment is not
   * available; a network or 5xx failure stays "Stripe unreachable, try again".
   */
  private checkoutRefused(err: unknown): DomainError {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === undefined || status >= 500 || status === 429) return stripeUnavailable(err);
    const message = err instanceof Error ? err.message : String(err);
    this.deps.logger.error(
      { stripeError: message, automaticTax: this.deps.automaticTax },
      `Stripe refused to create a Checkout session: ${message}${
        this.deps.automaticTax
          ? ' (STRIPE_AUTOMATIC_TAX is on: check Stripe Tax in the Dashboard — origin address, registrations — and that the prices have a tax behaviour)'
          : ''
      }`,
    );
    return new DomainError(
      'payments_unavailable',
      'Payment is not available right now. Please try again later.',
    );
  }

  /** The musician's invoices from Stripe, newest first, a page at a time. */
  async invoices(userId: string, limit: number, after: string | undefined): Promise<InvoicesResponse> {
    const user = await requireUser(this.deps.db, userId);
    if (!user.stripe_customer_id) return { invoices: [], nextCursor: null };
    let page: Stripe.ApiList<Stripe.Invoice>;
    try {
      page = await this.deps.stripe.invoices.list({
        customer: user.stripe_customer_id,
        limit,
        ...(after ? { starting_after: after } : {}),
      });
    } catch (err) {
      throw stripeUnavailable(err);
    }
    // Drafts are Stripe's work in progress, not something the musician was billed.
    const invoices = page.data.filter((i) => i.status !== 'draft').map(invoiceSummary);
    const last = page.data.at(-1);
    return { invoices, nextCursor: page.has_more && last?.id ? last.id : null };
  }

  /** Stripe's word, not only the local plan: a live subscription there refuses a second one. */
  private async refuseIfSubscribed(customer: string): Promise<void> {
    let live: Stripe.Subscription | undefined;
    try {
      for await (const s of this.deps.stripe.subscriptions.list({ customer, status: 'all', limit: 100 })) {
        if (isLive(s.status)) {
          live = s;
          break;
        }
      }
    } catch (err) {
      throw stripeUnavailable(err);
    }
    if (!live) return;
    // The database may not know yet (a webhook on its way or lost): bring it up to date.
    await this.deps.sync
      .sync(customer)
      .catch((err: unknown) =>
        this.deps.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'sync before refusal failed',
        ),
      );
    throw alreadySubscribed();
  }

  /** This user's open session for the same price, still open on Stripe with time left. */
  private async openSession(userId: string, priceId: string): Promise<{ url: string; state: string } | null> {
    const soon = new Date(this.deps.now().getTime() + REUSE_MARGIN_MS).toISOString();
    const rows = await this.deps.db
      .selectFrom('checkout_sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('price_id', '=', priceId)
      .where('status', '=', 'open')
      .where('expires_at', '>', soon)
      .orderBy('created_at', 'desc')
      .execute();
    for (const row of rows) {
      let session: Stripe.Checkout.Session;
      try {
        session = await this.deps.stripe.checkout.sessions.retrieve(row.id);
      } catch (err) {
        throw stripeUnavailable(err);
      }
      if (session.status === 'open') return { url: row.url, state: row.state };
      await this.markSession(row.id, session.status === 'complete' ? 'complete' : 'expired');
    }
    return null;
  }

  private async markSession(id: string, status: 'complete' | 'expired'): Promise<void> {
    await this.deps.db.updateTable('checkout_sessions').set({ status }).where('id', '=', id).execute();
  }

  /**
   * A session completed: it is recorded, and every other open session of the customer is expired on
   * Stripe, so a page left open in another tab can no longer take a second payment.
   */
  async sessionCompleted(session: Stripe.Checkout.Session): Promise<string[]> {
    await this.markSession(session.id, 'complete');
    const customer = typeof session.customer === 'string' ? session.customer : session.customer?.id;
    if (!customer) return [];
    const expired: string[] = [];
    for await (const other of this.deps.stripe.checkout.sessions.list({
      customer,
      status: 'open',
      limit: 100,
    })) {
      if (other.id === session.id) continue;
      await this.deps.stripe.checkout.sessions.expire(
        other.id,
        {},
        { idempotencyKey: `siberia-expire-${other.id}` },
      );
      await this.markSession(other.id, 'expired');
      expired.push(other.id);
    }
    return expired;
  }

  /** Stripe says a session expired (by time, or because another one completed). */
  async sessionExpired(sessionId: string): Promise<void> {
    await this.markSession(sessionId, 'expired');
  }

  /** The user's Stripe customer, created once: before any session, and never twice. */
  private async ensureCustomer(user: UsersTable): Promise<string> {
    if (user.stripe_customer_id) return user.stripe_customer_id;
    const running = this.creating.get(user.id);
    if (running) return running;
    const work = (async () => {
      const fresh = await requireUser(this.deps.db, user.id);
      if (fresh.stripe_customer_id) return fresh.stripe_customer_id;
      let customer: Stripe.Customer;
      try {
        // The same key from another server process gets the same customer back from Stripe; after
        // a customer was deleted, the next one needs a key of its own.
        const deleted = await this.deps.db
          .selectFrom('billing_actions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('user_id', '=', fresh.id)
          .where('action', '=', 'customer_deleted')
          .executeTakeFirstOrThrow();
        const generation = Number(deleted.n);
        customer = await this.deps.stripe.customers.create(
          { email: fresh.email, metadata: { user_id: fresh.id } },
          { idempotencyKey: `siberia-customer-${fresh.id}${generation ? `-${generation}` : ''}` },
        );
      } catch (err) {
        throw stripeUnavailable(err);
      }
      await this.deps.db
        .updateTable('users')
        .set({ stripe_customer_id: customer.id, updated_at: this.deps.now().toISOString() })
        .where('id', '=', fresh.id)
        .where('stripe_customer_id', 'is', null)
        .execute();
      const stored = await requireUser(this.deps.db, fresh.id);
      return stored.stripe_customer_id ?? customer.id;
    })();
    this.creating.set(user.id, work);
    try {
      return await work;
    } finally {
      this.creating.delete(user.id);
    }
  }

  async portal(userId: string): Promise<{ url: string }> {
    const user = await requireUser(this.deps.db, userId);
    if (!user.stripe_customer_id)
      throw new DomainError('no_subscription', 'There is no subscription to manage yet.');
    try {
      const session = await this.deps.stripe.billingPortal.sessions.create({
        customer: user.stripe_customer_id,
        return_url: `${this.deps.publicUrl()}${paths.portalReturn}`,
      });
      return { url: session.url };
    } catch (err) {
      throw stripeUnavailable(err);
    }
  }

  /**
   * The browser's return from Checkout: the session must be one of ours (its user and customer
   * match a row), then that customer is synced. Null for a session that is not ours.
   */
  async confirmCheckout(
    sessionId: string,
    state: string,
  ): Promise<{ outcome: SyncOutcome; paid: boolean } | null> {
    // Only a session this server created for this state is looked up: a made-up id costs no call.
    const ours = await this.deps.db
      .selectFrom('checkout_sessions')
      .select('id')
      .where('id', '=', sessionId)
      .where('state', '=', state)
      .executeTakeFirst();
    if (!ours) return null;
    const session = await this.deps.stripe.checkout.sessions.retrieve(sessionId);
    const userId = session.client_reference_id ?? session.metadata?.user_id ?? null;
    const customerId =
      typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null);
    if (!userId || !customerId) return null;
    const user = await this.deps.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user || user.stripe_customer_id !== customerId) return null;
    if (session.status === 'complete') await this.sessionCompleted(session);
    const outcome = await this.deps.sync.sync(customerId);
    return { outcome, paid: session.status === 'complete' && session.payment_status !== 'unpaid' };
  }
}

function alreadySubscribed(): DomainError {
  return new DomainError(
    'already_subscribed',
    'You are already subscribed; manage the subscription instead.',
  );
}

function invoiceSummary(i: Stripe.Invoice): InvoiceSummary {
  return {
    id: i.id as string,
    number: i.number,
    createdAt: new Date(i.created * 1000).toISOString(),
    total: i.total,
    tax: (i.total_taxes ?? []).reduce((sum, t) => sum + t.amount, 0),
    currency: i.currency,
    status: (i.status ?? 'open') as InvoiceSummary['status'],
    hostedInvoiceUrl: i.hosted_invoice_url ?? null,
    pdfUrl: i.invoice_pdf ?? null,
  };
}
