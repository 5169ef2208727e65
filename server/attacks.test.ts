import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../contracts/errors';
import { signPayload } from '../stripe-emulator/delivery';
import { databaseKinds } from '../tests/support/databases';
import { type MoneyStack, startMoneyStack } from '../tests/support/money-stack';

describe.each(databaseKinds)('webhooks and the return page under attack, on %s', (kind) => {
  let m: MoneyStack;
  const send = async (base: string, payload: string, signature: string) => {
    const res = await fetch(`${base}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const stored = (id: string) =>
    m.t.db.selectFrom('stripe_events').selectAll().where('event_id', '=', id).executeTakeFirst();
  const event = (id: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id,
      object: 'event',
      type: 'customer.subscription.updated',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'sub_x', object: 'subscription', customer: 'cus_nobody' } },
      ...extra,
    });

  beforeAll(async () => {
    m = await startMoneyStack(kind);
  });
  afterAll(async () => {
    await m?.close();
  });

  it('refuses a signature dated more than 300 s either way, and takes one within', async () => {
    const secret = m.emulator.webhookSecret;
    const now = Math.floor(Date.now() / 1000);
    for (const [offset, status] of [
      [3600, 400],
      [301 + 5, 400],
      [-3600, 400],
      [200, 200],
      [-200, 200],
    ] as const) {
      const id = `evt_clock_${offset < 0 ? 'm' : 'p'}${Math.abs(offset)}`;
      const payload = event(id);
      const answer = await send(m.server.url, payload, signPayload(payload, secret, now + offset));
      expect(answer.status, `signed ${offset} s from now`).toBe(status);
      if (status === 400) {
        expect(ErrorBody.parse(answer.body).error.code).toBe('invalid_signature');
        expect(await stored(id)).toBeUndefined();
      }
    }
  });

  it('records a signed event that cannot be handled and answers 200, so that Stripe stops retrying', async () => {
    const secret = m.emulator.webhookSecret;
    const cases: Array<[string, string]> = [
      ['evt_no_data', event('evt_no_data', { data: null })],
      ['evt_no_object', event('evt_no_object', { data: {} })],
      [
        'evt_completed_nothing',
        event('evt_completed_nothing', { type: 'checkout.session.completed', data: {} }),
      ],
      [
        'evt_dispute_no_charge',
        event('evt_dispute_no_charge', {
          type: 'charge.dispute.created',
          data: {
            object: { id: 'dp_1', object: 'dispute', charge: 'ch_does_not_exist', status: 'needs_response' },
          },
        }),
      ],
    ];
    for (const [id, payload] of cases) {
      const answer = await send(m.server.url, payload, signPayload(payload, secret));
      expect(answer.status, id).toBe(200);
      const row = await stored(id);
      expect(row?.processed_at, id).not.toBeNull();
      // Nothing to act on is said as such; what broke while acting is `unprocessable:` and why.
      expect(row?.outcome, id).toMatch(/^(no_customer|unprocessable: .+)$/);
    }
    // No id at all (or not an object): recorded under one made from its bytes, once.
    for (const payload of [JSON.stringify({ object: 'event', type: 'customer.updated' }), '[1,2]', '"evt"']) {
      const first = await send(m.server.url, payload, signPayload(payload, secret));
      const again = await send(m.server.url, payload, signPayload(payload, secret));
      expect([first.status, again.status]).toEqual([200, 200]);
    }
    const unidentified = await m.t.db
      .selectFrom('stripe_events')
      .selectAll()
      .where('event_id', 'like', 'unidentified_%')
      .execute();
    expect(unidentified).toHaveLength(3);
    expect(
      unidentified.every((r) => r.outcome?.startsWith('unprocessable: ') && r.event_id.length > 20),
    ).toBe(true);
    expect(await stored('')).toBeUndefined();
  });

  it('lets one address look checkout sessions up on the return page 10 times a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await fetch(
        `${m.server.url}/checkout/return?session_id=cs_test_${'a'.repeat(20)}${i}&state=${'s'.repeat(24)}`,
      );
      await res.text();
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);
  });

  it('verifies with any secret of STRIPE_WEBHOOK_SECRET during a rotation, and with no other', async () => {
    const previous = `whsec_${'p'.repeat(32)}`;
    const rotating = await m.secondServer({
      STRIPE_WEBHOOK_SECRET: `${previous}, ${m.emulator.webhookSecret}`,
    });
    const viaOld = event('evt_rotation_old');
    const viaNew = event('evt_rotation_new');
    const viaOther = event('evt_rotation_other');
    expect((await send(rotating.url, viaOld, signPayload(viaOld, previous))).status).toBe(200);
    expect((await send(rotating.url, viaNew, signPayload(viaNew, m.emulator.webhookSecret))).status).toBe(
      200,
    );
    expect(
      (await send(rotating.url, viaOther, signPayload(viaOther, `whsec_${'o'.repeat(32)}`))).status,
    ).toBe(400);
    // The first server knows only the current secret.
    const late = event('evt_rotation_late');
    expect((await send(m.server.url, late, signPayload(late, previous))).status).toBe(400);
  });
});
