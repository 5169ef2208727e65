import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../tests/support/databases';
import { newUserRow } from '../services/users';
import { migrate } from './connect';

const now = '2026-11-24T10:00:00.000Z';
const user = (id: string, email: string) => newUserRow(email, 'scrypt$…', now, id);

describe.each(databaseKinds)('database on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('migrates forward once: a second run applies nothing', async () => {
    expect(await migrate(t.db)).toEqual([]);
  });

  it('keeps emails and Stripe customers unique', async () => {
    await t.db.insertInto('users').values(user('u1', 'ada@example.com')).execute();
    await expect(t.db.insertInto('users').values(user('u2', 'ada@example.com')).execute()).rejects.toThrow(
      /unique|UNIQUE/,
    );
    await t.db.insertInto('users').values(user('u3', 'bob@example.com')).execute();
    await t.db.updateTable('users').set({ stripe_customer_id: 'cus_1' }).where('id', '=', 'u1').execute();
    await expect(
      t.db.updateTable('users').set({ stripe_customer_id: 'cus_1' }).where('id', '=', 'u3').execute(),
    ).rejects.toThrow(/unique|UNIQUE/);
    // Several users without a customer yet are fine.
    await t.db.insertInto('users').values(user('u4', 'cy@example.com')).execute();
  });

  it('refuses a plan or a usage kind outside the contract', async () => {
    await expect(
      t.db
        .insertInto('users')
        .values({ ...user('u9', 'x@example.com'), plan: 'gold' as 'pro' })
        .execute(),
    ).rejects.toThrow();
    const event = {
      id: 'e-bad',
      user_id: 'u1',
      kind: 'burn' as 'export',
      idempotency_key: 'k-bad-kind',
      device_id: 'dev_1',
      source: 'online' as const,
      grant_id: null,
      occurred_at: now,
      created_at: now,
    };
    await expect(t.db.insertInto('usage_events').values(event).execute()).rejects.toThrow();
  });

  it('counts one use per idempotency key and user, and derives monthly counts', async () => {
    const use = (key: string, at: string, userId = 'u1') => ({
      id: `${userId}-${key}-${at}`,
      user_id: userId,
      kind: 'export' as const,
      idempotency_key: key,
      device_id: 'dev_1',
      source: 'online' as const,
      grant_id: null,
      occurred_at: at,
      created_at: at,
    });
    await t.db.insertInto('usage_events').values(use('k1', '2026-11-02T00:00:00.000Z')).execute();
    await t.db.insertInto('usage_events').values(use('k2', '2026-10-31T23:59:59.999Z')).execute();
    await expect(
      t.db.insertInto('usage_events').values(use('k1', '2026-11-03T00:00:00.000Z')).execute(),
    ).rejects.toThrow(/unique|UNIQUE/);
    // The same key from another user is another use.
    await t.db
      .insertInto('usage_events')
      .values(use('k1', '2026-11-05T00:00:00.000Z', 'u3'))
      .execute();
    const { count } = await t.db
      .selectFrom('usage_events')
      .select(sql<number>`count(*)`.as('count'))
      .where('user_id', '=', 'u1')
      .where('occurred_at', '>=', '2026-11-01T00:00:00.000Z')
      .where('occurred_at', '<', '2026-12-01T00:00:00.000Z')
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(1);
  });

  it('stores a Stripe event id once', async () => {
    await t.db
      .insertInto('stripe_events')
      .values({
        event_id: 'evt_1',
        type: 'invoice.paid',
        received_at: now,
        processed_at: null,
        outcome: null,
      })
      .execute();
    await expect(
      t.db
        .insertInto('stripe_events')
        .values({
          event_id: 'evt_1',
          type: 'invoice.paid',
          received_at: now,
          processed_at: null,
          outcome: null,
        })
        .execute(),
    ).rejects.toThrow(/unique|UNIQUE|duplicate|PRIMARY/i);
  });
});
