import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { withComplimentary } from './domain/plan-rule';
import { Complimentary } from './services/complimentary';
import { newUserRow } from './services/users';

describe('complimentary Pro', () => {
  it('lifts Free to Pro while it lasts and lowers nothing', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const free = { plan: 'free', reason: 'no_subscription', attention: null } as const;
    expect(withComplimentary(free, '2026-12-02T00:00:00Z', now)).toEqual({
      plan: 'pro',
      reason: 'complimentary',
      attention: null,
    });
    expect(withComplimentary(free, '2026-11-30T00:00:00Z', now)).toBe(free);
    expect(withComplimentary(free, null, now)).toBe(free);
    const studio = { plan: 'studio', reason: 'operator', attention: null } as const;
    expect(withComplimentary(studio, '2027-01-01T00:00:00Z', now)).toBe(studio);
  });
});

describe.each(databaseKinds)('complimentary Pro running out, on %s', (kind) => {
  let t: TestDatabase;
  let clock = new Date('2026-12-01T10:00:00Z');
  beforeAll(async () => {
    t = await freshDatabase(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });
  const planOf = async (id: string) =>
    await t.db
      .selectFrom('users')
      .select(['plan', 'plan_reason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('is Free again once the day has passed, and a studio plan is left alone', async () => {
    const gift = newUserRow('gift@example.com', 'x', clock.toISOString());
    const studio = { ...newUserRow('studio@example.com', 'x', clock.toISOString()), plan: 'studio' as const };
    await t.db.insertInto('users').values([gift, studio]).execute();
    const comp = new Complimentary({ db: t.db, sync: null, now: () => clock });
    await comp.give(gift.id, new Date('2026-12-10T00:00:00Z'));
    await comp.give(studio.id, new Date('2026-12-10T00:00:00Z'));
    expect(await planOf(gift.id)).toEqual({ plan: 'pro', plan_reason: 'complimentary' });
    expect((await planOf(studio.id)).plan).toBe('studio');
    expect(await comp.expire()).toBe(0);
    clock = new Date('2026-12-10T00:00:01Z');
    expect(await comp.expire()).toBe(1);
    expect(await planOf(gift.id)).toEqual({ plan: 'free', plan_reason: 'no_subscription' });
    expect((await planOf(studio.id)).plan).toBe('studio');
  });
});
