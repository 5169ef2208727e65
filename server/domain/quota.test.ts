import { describe, expect, it } from 'vitest';
import { Usage } from '../../contracts/plan';
import { buildUsage, decideGrant, limitsFor, usagePeriod, withOneMore } from './quota';

const quotas = { exportsPerMonth: 500, mastersPerMonth: 200 };

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
  it('free downloads nothing; pro and studio get the quotas', () => {
    expect(limitsFor('free', quotas)).toEqual({ export: 0, master: 0 });
    expect(limitsFor('pro', quotas)).toEqual({ export: 500, master: 200 });
    expect(limitsFor('studio', quotas)).toEqual({ export: 500, master: 200 });
  });

  it('builds usage in the contract shape', () => {
    const usage = buildUsage(new Date('2026-11-24T10:00:00Z'), 'pro', { export: 5, master: 1 }, quotas);
    expect(Usage.parse(usage)).toEqual({
      period: '2026-11',
      exports: { used: 5, limit: 500 },
      masters: { used: 1, limit: 200 },
      resetAt: '2026-12-01T00:00:00.000Z',
    });
  });

  it('grants below the limit, refuses at it, and refuses free with upgrade_required', () => {
    const at = (used: number) =>
      buildUsage(
        new Date('2026-11-24T10:00:00Z'),
        'pro',
        { export: used, master: 0 },
        { exportsPerMonth: 3, mastersPerMonth: 1 },
      );
    expect(decideGrant('pro', 'export', at(2))).toEqual({ ok: true });
    expect(decideGrant('pro', 'export', at(3))).toEqual({ ok: false, reason: 'quota_exceeded' });
    expect(decideGrant('pro', 'master', at(3))).toEqual({ ok: true });
    expect(decideGrant('free', 'export', at(0))).toEqual({ ok: false, reason: 'upgrade_required' });
  });
});

describe('one more use', () => {
  const usage = buildUsage(
    new Date('2026-11-24T10:00:00Z'),
    'pro',
    { export: 499, master: 7 },
    {
      exportsPerMonth: 500,
      mastersPerMonth: 200,
    },
  );
  it('counts the kind used and leaves the other, the limits and the period alone', () => {
    expect(withOneMore(usage, 'export')).toEqual({ ...usage, exports: { used: 500, limit: 500 } });
    expect(withOneMore(usage, 'master')).toEqual({ ...usage, masters: { used: 8, limit: 200 } });
    expect(usage.exports.used).toBe(499);
  });
});
