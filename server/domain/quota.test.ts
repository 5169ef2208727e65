import { describe, expect, it } from 'vitest';
import { Usage } from '../../contracts/plan';
import {
  bucketOf,
  buildUsage,
  type Counts,
  decideGrant,
  limitsOf,
  offlineShare,
  outstanding,
  usagePeriod,
  withOneReserved,
} from './quota';

const quotas = { exportsPerMonth: 500, mastersPerMonth: 200, trialExports: 0, trialMasters: 0 };
const now = new Date('2026-11-24T10:00:00Z');
const counts = (exportsUsed: number, exportsReserved = 0, mastersUsed = 0): Counts => ({
  export: { used: exportsUsed, reserved: exportsReserved },
  master: { used: mastersUsed, reserved: 0 },
});

describe('usage period (calendar month, UTC)', () => {
  it('runs from the first of the month to the first of the next, in UTC', () => {
    expect(usagePeriod(new Date('2026-11-24T10:00:00Z'))).toEqual({
      period: '2026-11',
      start: new Date('2026-11-01T00:00:00Z'),
      resetAt: new Date('2026-12-01T00:00:00Z'),
    });
    expect(usagePeriod(new Date('2026-12-31T23:59:59.999Z')).resetAt).toEqual(
      new Date('2027-01-01T00:00:00Z'),
    );
    // 23:30 on 30 November in New York is already December in UTC.
    expect(usagePeriod(new Date('2026-11-30T23:30:00-05:00')).period).toBe('2026-12');
    expect(usagePeriod(new Date('2028-02-29T12:00:00Z')).resetAt).toEqual(new Date('2028-03-01T00:00:00Z'));
  });
});

describe('limits and grants', () => {
  it('free draws from its trial (none by default), pro and studio from the month', () => {
    expect(['free', 'pro', 'studio'].map((p) => bucketOf(p as 'free'))).toEqual(['trial', 'month', 'month']);
    expect(limitsOf('trial', quotas)).toEqual({ export: 0, master: 0 });
    expect(limitsOf('trial', { ...quotas, trialExports: 2, trialMasters: 1 })).toEqual({
      export: 2,
      master: 1,
    });
    expect(limitsOf('month', quotas)).toEqual({ export: 500, master: 200 });
  });

  it('builds usage in the contract shape, reservations apart from use', () => {
    const usage = buildUsage(now, 'month', counts(5, 2, 1), quotas);
    expect(Usage.parse(usage)).toEqual({
      period: '2026-11',
      exports: { used: 5, reserved: 2, limit: 500 },
      masters: { used: 1, reserved: 0, limit: 200 },
      resetAt: '2026-12-01T00:00:00.000Z',
    });
  });

  it('reserves while use and live reservations stay below the limit, and says why it refuses', () => {
    const small = { exportsPerMonth: 3, mastersPerMonth: 1, trialExports: 2, trialMasters: 0 };
    const month = (used: number, reserved = 0) => buildUsage(now, 'month', counts(used, reserved), small);
    expect(decideGrant('month', 'export', month(2))).toEqual({ ok: true });
    expect(decideGrant('month', 'export', month(1, 2))).toEqual({ ok: false, reason: 'quota_exceeded' });
    expect(decideGrant('month', 'export', month(3))).toEqual({ ok: false, reason: 'quota_exceeded' });
    expect(decideGrant('month', 'master', month(3))).toEqual({ ok: true });
    const trial = (used: number, reserved = 0) => buildUsage(now, 'trial', counts(used, reserved), small);
    expect(decideGrant('trial', 'export', trial(1))).toEqual({ ok: true });
    expect(decideGrant('trial', 'export', trial(1, 1))).toEqual({ ok: false, reason: 'trial_exhausted' });
    // No trial of masters configured: the plan, not a used-up trial, is the reason.
    expect(decideGrant('trial', 'master', trial(0))).toEqual({ ok: false, reason: 'upgrade_required' });
  });

  it('one more reservation moves the reserved count of its kind only', () => {
    const usage = buildUsage(now, 'month', counts(499, 0, 7), quotas);
    expect(withOneReserved(usage, 'export')).toEqual({
      ...usage,
      exports: { used: 499, reserved: 1, limit: 500 },
    });
    expect(withOneReserved(usage, 'master').masters).toEqual({ used: 7, reserved: 1, limit: 200 });
    expect(usage.exports.reserved).toBe(0);
  });
});

describe('offline allowances as a budget', () => {
  it('shares what the month has left over the places, never more in total', () => {
    // Three places, 3 exports left: a device each, one export each.
    const give = (othersOutstanding: number, placesLeft: number, used = 0) =>
      offlineShare({ limit: 3, used, reserved: 0, othersOutstanding, placesLeft });
    expect([give(0, 3), give(1, 2), give(2, 1)]).toEqual([1, 1, 1]);
    // A device renewing its token finds the others' shares taken out.
    expect(give(2, 1)).toBe(1);
    // 500 a month, 20 used, 5 reserved: 158 each for three devices (475 / 3, rounded down).
    const shares: number[] = [];
    for (const placesLeft of [3, 2, 1]) {
      const taken = shares.reduce((a, b) => a + b, 0);
      shares.push(offlineShare({ limit: 500, used: 20, reserved: 5, othersOutstanding: taken, placesLeft }));
    }
    expect(shares).toEqual([158, 158, 159]);
    expect(shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(475);
    // Nothing left, or the month over: nothing, never negative.
    expect(offlineShare({ limit: 3, used: 3, reserved: 1, othersOutstanding: 2, placesLeft: 2 })).toBe(0);
  });

  it('counts what is left of an allowance once its uses are reported', () => {
    expect(outstanding(5, 2)).toBe(3);
    expect(outstanding(2, 4)).toBe(0);
  });
});
