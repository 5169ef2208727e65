// The money paths of issue 14 through the real stack: the real stripe SDK against the emulator,
// signed webhooks (late, lost, failed), the reconciler, on SQLite and PostgreSQL.
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../tests/support/databases';
import { type MoneyStack, startMoneyStack } from '../tests/support/money-stack';

const DAY = 86_400;
const LIVE = ['active', 'trialing', 'past_due'];
const state = (n: string) => `state_${n}_${'x'.repeat(16)}`;

async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(databaseKinds)('money through the real stack on %s', (kind) => {
  let m: MoneyStack;
  let webhookUrl: string;
  beforeAll(async () => {
    m = await startMoneyStack(kind);
    webhookUrl = `${m.server.url}/api/webhooks/stripe`;
  });
  afterAll(() => m?.close());

  let n = 0;
  const musician = async (what: string) => {
    const email = `${what}-${n++}@example.com`;
    const u = await m.signUp(email);
    return { ...u, email, token: u.accessToken };
  };
  /** billing/me as the app reads it, signed in anew (time may have been advanced past the token). */
  const me = async (u: { email: string }) => m.billingMe((await m.signIn(u.email)).accessToken);
  const customerOf = async (userId: string) => (await m.userRow(userId)).stripe_customer_id as string;
  const liveSubs = async (customer: string) =>
    (await m.stripe.subscriptions.list({ customer, status: 'all', limit: 100 })).data.filter((s) =>
      LIVE.includes(s.status),
    );
  /** Checkout and pay with a card; the webhooks tell the server. */
  const buy = async (token: string, userId: string, card?: string) => {
    const { url } = await m.checkout(token, m.prices.monthly, state(`buy${n++}`));
    expect(await m.pay(url, card)).toBe(true);
    await m.emulator.idle();
    const customer = await customerOf(userId);
    const [sub] = await liveSubs(customer);
    return { customer, sub: sub as Stripe.Subscription };
  };
  const paymentIntentOf = async (invoiceId: string) => {
    const payments = await m.stripe.invoicePayments.list({ invoice: invoiceId });
    return payments.data[0]?.payment.payment_intent as string;
  };
  const admin = (route: string, body: unknown) =>
    fetch(`${m.emulator.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('three Checkout pages paid at once → one live subscription, Pro, and the extra charges refunded', async () => {
    const u = await musician('three-pages');
    const first = await m.checkout(u.token, m.prices.monthly, state('first'));
    // A double click, or pricing open in a second window: the same open session comes back.
    expect(await m.checkout(u.token, m.prices.monthly, state('second'))).toEqual(first);
    const annual = await m.checkout(u.token, m.prices.annual, state('annual'));
    expect(annual.url).not.toBe(first.url);
    const customer = await customerOf(u.user.id);
    // A third page made by another server process in the same instant (a race no check can see).
    const raced = await m.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      line_items: [{ price: m.prices.monthly, quantity: 1 }],
      client_reference_id: u.user.id,
      success_url: `${m.server.url}/checkout/return?session_id={CHECKOUT_SESSION_ID}&state=${state('raced')}`,
      cancel_url: `${m.server.url}/checkout/return?status=cancel&state=${state('raced')}`,
    });
    // All three paid before any webhook can land: the webhooks are lost.
    m.emulator.setForwardTo(null);
    try {
      expect([await m.pay(first.url), await m.pay(annual.url), await m.pay(raced.url as string)]).toEqual([
        true,
        true,
        true,
      ]);
    } finally {
      m.emulator.setForwardTo(webhookUrl);
    }
    const before = await liveSubs(customer);
    expect(before).toHaveLength(3);
    const firstCreated = [...before].sort((a, b) => a.created - b.created || a.id.localeCompare(b.id))[0];

    // The reconciler reads the events no webhook brought and removes the surplus.
    const report = await m.server.reconciler?.runOnce();
    expect(report?.caughtUp).toBeGreaterThan(0);
    await m.emulator.idle();
    const after = await liveSubs(customer);
    expect(after.map((s) => s.id)).toEqual([firstCreated?.id]);
    const charges = (await m.stripe.charges.list({ customer, limit: 100 })).data;
    expect(charges).toHaveLength(3);
    const kept = after[0]?.items.data[0]?.price.unit_amount;
    expect(charges.reduce((sum, c) => sum + c.amount - c.amount_refunded, 0)).toBe(kept);
    const actions = await m.t.db
      .selectFrom('billing_actions')
      .selectAll()
      .where('user_id', '=', u.user.id)
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'cancel_surplus_subscription',
      'cancel_surplus_subscription',
    ]);
    expect(await m.billingMe(u.token)).toMatchObject({ plan: 'pro', status: 'active' });

    // Reconciling again, or the lost webhooks arriving late, does nothing more.
    await m.server.reconciler?.runOnce();
    expect(
      (await m.stripe.refunds.list({ limit: 100 })).data.filter((r) =>
        charges.some((c) => c.id === r.charge),
      ),
    ).toHaveLength(2);
  });

  it('once one page is paid, the other open pages are expired, and a new checkout is refused', async () => {
    const u = await musician('two-tabs');
    const monthly = await m.checkout(u.token, m.prices.monthly, state('tab1'));
    const annual = await m.checkout(u.token, m.prices.annual, state('tab2'));
    expect(await m.pay(monthly.url)).toBe(true);
    await m.emulator.idle();
    const sessionId = new URL(annual.url).pathname.split('/').pop() as string;
    expect((await m.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('expired');
    expect(await m.pay(annual.url)).toBe(false);
    const again = await m.call(
      'POST',
      '/api/billing/checkout',
      { priceId: m.prices.annual, state: state('tab3') },
      u.token,
    );
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'already_subscribed' } } });
    expect(await liveSubs(await customerOf(u.user.id))).toHaveLength(1);
  });

  it('refuses a checkout when Stripe has a live subscription the database does not know of', async () => {
    const u = await musician('unknown-sub');
    m.emulator.setForwardTo(null);
    try {
      const { url } = await m.checkout(u.token, m.prices.monthly, state('quiet'));
      expect(await m.pay(url)).toBe(true);
    } finally {
      m.emulator.setForwardTo(webhookUrl);
    }
    expect((await m.userRow(u.user.id)).plan).toBe('free');
    const res = await m.call(
      'POST',
      '/api/billing/checkout',
      { priceId: m.prices.annual, state: state('q2') },
      u.token,
    );
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'already_subscribed' } } });
    // Refusing, the server synced: the musician is Pro now.
    expect((await m.userRow(u.user.id)).plan).toBe('pro');
  });

  it('a cancellation whose webhooks failed while Stripe was unreachable → Free within one reconciliation interval', async () => {
    const u = await musician('outage');
    const { sub } = await buy(u.token, u.user.id);
    expect((await m.userRow(u.user.id)).plan).toBe('pro');
    const seen = m.emulator.deliveries().length;
    m.proxy.setReachable(false);
    try {
      await m.stripe.subscriptions.cancel(sub.id);
      await m.emulator.idle(); // every retry answered 500: Stripe gave up on the webhook
    } finally {
      m.proxy.setReachable(true);
    }
    const failures = m.emulator
      .deliveries()
      .slice(seen)
      .filter((d) => d.type === 'customer.subscription.deleted');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((d) => d.status !== 200)).toBe(true);
    expect((await m.userRow(u.user.id)).plan).toBe('pro');

    const second = await m.secondServer({ STRIPE_RECONCILE_INTERVAL_S: '1' });
    try {
      const row = await until(
        'plan after reconciliation',
        () => m.userRow(u.user.id),
        (r) => r.plan === 'free',
      );
      expect(row).toMatchObject({ subscription_status: 'canceled', plan_reason: 'ended' });
    } finally {
      await second.close();
    }
  });

  it('past_due keeps Pro while Stripe retries and asks for a new card; the last failed retry ends it', async () => {
    const u = await musician('dunning');
    await buy(u.token, u.user.id, '4000 0000 0000 0341');
    await m.advance(32 * DAY);
    const due = await me(u);
    expect(due).toMatchObject({ plan: 'pro', status: 'past_due', attention: { kind: 'payment_failed' } });
    await m.advance(3 * DAY);
    expect(await me(u)).toMatchObject({ plan: 'pro', status: 'past_due' });
    await m.advance(6 * DAY);
    expect(await me(u)).toMatchObject({ plan: 'free', attention: null });
  });

  it('a subscription left past_due after the last retry (a Dashboard setting) is Free too', async () => {
    expect((await admin('/_emulator/billing', { afterFailedRetries: 'past_due' })).status).toBe(200);
    try {
      const u = await musician('left-past-due');
      const { customer } = await buy(u.token, u.user.id, '4000 0000 0000 0341');
      await m.advance(32 * DAY);
      await m.advance(9 * DAY);
      const [sub] = (await m.stripe.subscriptions.list({ customer, status: 'all' })).data;
      expect(sub?.status).toBe('past_due');
      await m.server.reconciler?.runOnce();
      expect(await m.userRow(u.user.id)).toMatchObject({
        plan: 'free',
        plan_reason: 'past_due_retries_over',
      });
    } finally {
      await admin('/_emulator/billing', { afterFailedRetries: 'cancel' });
    }
  });

  it('3-D Secure at renewal: the app is sent to the hosted invoice page; confirming keeps Pro', async () => {
    const u = await musician('three-ds');
    await buy(u.token, u.user.id, '4000 0027 6000 3184');
    expect((await m.billingMe(u.token)).plan).toBe('pro');
    await m.advance(32 * DAY);
    const asked = await me(u);
    expect(asked).toMatchObject({ plan: 'pro', attention: { kind: 'action_required' } });
    const url = (asked.attention as { url: string }).url;
    const confirm = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'confirm' }),
      redirect: 'manual',
    });
    expect(confirm.status).toBe(303);
    await m.emulator.idle();
    expect(await me(u)).toMatchObject({ plan: 'pro', status: 'active', attention: null });
  });

  it('3-D Secure never confirmed: Free once Stripe stops retrying', async () => {
    const u = await musician('three-ds-ignored');
    await buy(u.token, u.user.id, '4000 0027 6000 3184');
    await m.advance(32 * DAY);
    expect((await me(u)).attention?.kind).toBe('action_required');
    await m.advance(9 * DAY);
    expect(await me(u)).toMatchObject({ plan: 'free', attention: null });
  });

  it('a partial refund keeps Pro; a full refund of the latest invoice ends it at once', async () => {
    const u = await musician('refund');
    const { sub } = await buy(u.token, u.user.id);
    const intent = await paymentIntentOf(sub.latest_invoice as string);
    await m.stripe.refunds.create({ payment_intent: intent, amount: 100 });
    await m.emulator.idle();
    expect((await m.userRow(u.user.id)).plan).toBe('pro');
    await m.stripe.refunds.create({ payment_intent: intent });
    await m.emulator.idle();
    expect(await m.userRow(u.user.id)).toMatchObject({ plan: 'free', plan_reason: 'refunded' });
  });

  it('a dispute suspends Pro, recorded for the operator, until it is won', async () => {
    const u = await musician('dispute');
    const { customer } = await buy(u.token, u.user.id);
    const [charge] = (await m.stripe.charges.list({ customer })).data;
    const opened = await admin('/_emulator/disputes', { charge: charge?.id });
    expect(opened.status).toBe(200);
    await m.emulator.idle();
    expect(await m.userRow(u.user.id)).toMatchObject({ plan: 'free', plan_reason: 'disputed' });
    const recorded = await m.t.db
      .selectFrom('disputes')
      .selectAll()
      .where('user_id', '=', u.user.id)
      .execute();
    expect(recorded).toMatchObject([{ id: opened.body.id, charge_id: charge?.id }]);
    await admin(`/_emulator/disputes/${opened.body.id}/close`, { status: 'won' });
    await m.emulator.idle();
    expect(await m.userRow(u.user.id)).toMatchObject({ plan: 'pro', plan_reason: 'active' });
  });

  it('a deleted customer returns the musician to Free and the customer id is forgotten', async () => {
    const u = await musician('deleted');
    const { customer } = await buy(u.token, u.user.id);
    await m.stripe.customers.del(customer);
    await m.emulator.idle();
    expect(await m.userRow(u.user.id)).toMatchObject({ plan: 'free', stripe_customer_id: null });
    const recorded = await m.t.db
      .selectFrom('billing_actions')
      .selectAll()
      .where('user_id', '=', u.user.id)
      .execute();
    expect(recorded).toMatchObject([{ action: 'customer_deleted', object_id: customer }]);
    // Going Pro again makes a new customer.
    const again = await m.checkout(u.token, m.prices.monthly, state('again'));
    expect(again.url).toMatch(/^http/);
    expect(await customerOf(u.user.id)).not.toBe(customer);
  });

  it('two server processes reconciling at once: one does the run, and the rows end in Stripe’s truth', async () => {
    const u = await musician('two-servers');
    const { sub } = await buy(u.token, u.user.id);
    m.emulator.setForwardTo(null);
    try {
      await m.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    } finally {
      m.emulator.setForwardTo(webhookUrl);
    }
    const second = await m.secondServer();
    try {
      const reports = await Promise.all([
        m.server.reconciler?.runOnce({ full: true }),
        second.reconciler?.runOnce({ full: true }),
      ]);
      expect(reports.filter((r) => r !== null)).toHaveLength(1);
      expect((await m.userRow(u.user.id)).cancel_at_period_end).toBe(1);
      // Once the lease is free, the other one may run (and finds nothing to change for this row).
      const later = await second.reconciler?.runOnce({ full: true });
      expect(later).not.toBeNull();
    } finally {
      await second.close();
    }
  });
});
