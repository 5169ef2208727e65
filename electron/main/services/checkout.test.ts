import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Companion, startCompanion } from '../../../tests/host/companion';
import { type MainUnderTest, mainUnderTest } from '../../../tests/host/main-under-test';
import { fakeSafeStorage } from '../../../tests/host/node-ports';
import { CHECKOUT_TTL_MS } from './checkout';

let companion: Companion;
beforeAll(async () => {
  companion = await startCompanion();
});
afterAll(async () => {
  await companion.close();
});

let n = 0;
async function signedIn(
  checkoutOrigins = [companion.emulator.url],
  safeStorage = fakeSafeStorage(),
): Promise<MainUnderTest> {
  const t = mainUnderTest(companion.url, { checkoutOrigins, safeStorage });
  await t.main.account.signUp({ email: `buyer${n++}@example.com`, password: 'a long password' });
  await t.main.deepLinks.windowReady();
  return t;
}
const stateOf = (link: string) => new URL(link).searchParams.get('state') as string;

describe('checkout', () => {
  it('opens only allowed checkout hosts: the emulator URL is refused when it is not configured', async () => {
    const t = await signedIn([]);
    const res = await t.main.dispatch('billing.startCheckout', { priceId: companion.prices.monthly }, true);
    expect(res).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(t.opened).toEqual([]);
    expect(t.main.checkout.status().phase).toBe('idle');
    expect(t.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining('allow-list') }),
    );
  });

  it('refuses to start signed out or with an unknown price, changing nothing', async () => {
    const out = mainUnderTest(companion.url);
    expect(
      await out.main.dispatch('billing.startCheckout', { priceId: companion.prices.monthly }, true),
    ).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    const t = await signedIn();
    expect(await t.main.dispatch('billing.startCheckout', { priceId: 'price_not_ours' }, true)).toMatchObject(
      {
        ok: false,
        error: { code: 'invalid_price' },
      },
    );
    expect(await t.main.dispatch('billing.startCheckout', { priceId: '' }, true)).toMatchObject({
      ok: false,
      error: { code: 'validation_error' },
    });
    expect(t.opened).toEqual([]);
    expect(t.main.checkout.status().phase).toBe('idle');
  });

  it('a success link counts only with the pending state; then the server decides (success)', async () => {
    const t = await signedIn();
    await t.main.checkout.start(companion.prices.annual);
    const link = await companion.pay(t.opened[0] as string);
    const state = stateOf(link);
    const forged = [
      `siberiamix://checkout/success?session_id=cs_test_forged&state=${'a'.repeat(32)}`,
      `siberiamix://checkout/cancel?state=${'b'.repeat(32)}`,
      `siberiamix://checkout/refund?state=${state}`,
      `siberiamix://checkout/success?session_id=cs_test_x&state=${state}&plan=pro`,
      `siberiamix://checkout/success?session_id=${'x'.repeat(3000)}&state=${state}`,
      'siberiamix://checkout/success?session_id=not-a-session&state=short',
      `https://evil.example/checkout/success?state=${state}`,
      'not a url',
    ];
    for (const raw of forged) await t.main.deepLinks.receive(raw, 'open-url');
    await t.main.deepLinks.settled();
    expect(t.main.checkout.status().phase).toBe('pending');
    expect(t.events.of('checkout.changed').at(-1)).toMatchObject({ phase: 'pending' });

    expect(await t.main.deepLinks.receive(link, 'open-url')).toBe(true);
    await t.main.deepLinks.settled();
    expect(t.main.checkout.status()).toMatchObject({ phase: 'success', priceId: companion.prices.annual });
    expect(t.main.entitlements.state()).toMatchObject({ plan: 'pro', interval: 'year', source: 'server' });
    // The state is single use: the same link again changes nothing.
    await t.main.deepLinks.receive(link, 'open-url');
    await t.main.deepLinks.settled();
    expect(
      t.events.of('checkout.changed').filter((s) => (s as { phase: string }).phase === 'success'),
    ).toHaveLength(1);
  });

  it('a success link while the server still says free is "unconfirmed"; a cancel link cancels', async () => {
    const t = await signedIn();
    await t.main.checkout.start(companion.prices.monthly);
    const state = await pendingState(t);
    await t.main.deepLinks.receive(
      `siberiamix://checkout/success?session_id=cs_test_unpaid&state=${state}`,
      'argv',
    );
    await t.main.deepLinks.settled();
    expect(t.main.checkout.status().phase).toBe('unconfirmed');

    await t.main.checkout.start(companion.prices.monthly);
    await t.main.deepLinks.receive(`siberiamix://checkout/cancel?state=${await pendingState(t)}`, 'open-url');
    await t.main.deepLinks.settled();
    expect(t.main.checkout.status().phase).toBe('cancelled');
  });

  it('a double click, a second window or monthly-then-annual opens one Checkout page and says so', async () => {
    const t = await signedIn();
    const clicks = await Promise.all([
      t.main.dispatch('billing.startCheckout', { priceId: companion.prices.monthly }, true),
      t.main.dispatch('billing.startCheckout', { priceId: companion.prices.monthly }, true),
    ]);
    expect(clicks.map((c) => c.ok)).toEqual([true, true]);
    expect(t.opened).toHaveLength(1);
    await t.main.checkout.start(companion.prices.annual);
    expect(t.opened).toHaveLength(1);
    expect(t.main.checkout.status()).toMatchObject({ phase: 'pending', priceId: companion.prices.monthly });
    expect(
      t.events.of('notice').filter((n) => (n as { code: string }).code === 'checkout_pending'),
    ).toHaveLength(2);
    // Cancelled in the app, the next "Go Pro" gets the same open Stripe session back, with its state.
    t.main.checkout.cancel();
    await t.main.checkout.start(companion.prices.monthly);
    expect(t.opened).toEqual([t.opened[0], t.opened[0]]);
    const link = await companion.pay(t.opened[0] as string);
    await t.main.deepLinks.receive(link, 'open-url');
    await t.main.deepLinks.settled();
    expect(t.main.checkout.status().phase).toBe('success');
  });

  it('links before the window is ready wait for it', async () => {
    const t = mainUnderTest(companion.url, { checkoutOrigins: [companion.emulator.url] });
    await t.main.account.signUp({ email: `early${n++}@example.com`, password: 'a long password' });
    await t.main.checkout.start(companion.prices.monthly);
    const link = await companion.pay(t.opened[0] as string);
    expect(await t.main.deepLinks.receive(link, 'argv')).toBe(true);
    await t.main.deepLinks.settled();
    expect(t.main.checkout.status().phase).toBe('pending');
    await t.main.deepLinks.windowReady();
    expect(t.main.checkout.status().phase).toBe('success');
  });

  it('when the link never comes, focusing the window finds the purchase', async () => {
    const t = await signedIn();
    await t.main.checkout.start(companion.prices.monthly);
    await t.main.onFocus();
    expect(t.main.checkout.status().phase).toBe('pending');
    await companion.pay(t.opened[0] as string);
    await t.main.onFocus();
    expect(t.main.checkout.status().phase).toBe('success');
    expect(t.main.entitlements.state().plan).toBe('pro');
  });

  it('a pending checkout expires after an hour; its link is stale then', async () => {
    const t = await signedIn();
    await t.main.checkout.start(companion.prices.monthly);
    const link = await companion.pay(t.opened[0] as string);
    t.clock.advance(CHECKOUT_TTL_MS);
    expect(t.main.checkout.status().phase).toBe('expired');
    await t.main.deepLinks.receive(link, 'open-url');
    await t.main.deepLinks.settled();
    expect(t.main.checkout.status().phase).toBe('expired');
    expect(await t.main.dispatch('billing.reopenCheckout', undefined, true)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('opens the portal for a subscriber, on Stripe billing host or the configured emulator only', async () => {
    const safeStorage = fakeSafeStorage();
    const t = await signedIn(undefined, safeStorage);
    await t.main.checkout.start(companion.prices.monthly);
    await companion.pay(t.opened[0] as string);
    await t.main.onFocus();
    expect(await t.main.dispatch('billing.openPortal', undefined, true)).toEqual({
      ok: true,
      value: { opened: true },
    });
    expect(new URL(t.opened.at(-1) as string).origin).toBe(companion.emulator.url);
    const strict = mainUnderTest(companion.url, { dataDir: t.dataDir, checkoutOrigins: [], safeStorage });
    await strict.main.account.start();
    expect(await strict.main.dispatch('billing.openPortal', undefined, true)).toEqual({
      ok: true,
      value: { opened: false },
    });
    expect(strict.opened).toEqual([]);
  });
});

/** The state main put in the checkout it started, as the server received it (Stripe's session metadata). */
async function pendingState(t: MainUnderTest): Promise<string> {
  const url = t.opened.at(-1) as string;
  const id = /cs_test_[A-Za-z0-9_]+/.exec(url)?.[0] as string;
  const session = await companion.emulator.stripe().checkout.sessions.retrieve(id);
  const state = new URL(session.success_url as string).searchParams.get('state');
  if (!state) throw new Error(`no state in ${session.success_url}`);
  return state;
}
