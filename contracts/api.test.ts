import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  InvoicesQuery,
  api,
  BillingMeResponse,
  CheckoutRequest,
  Credentials,
  DevicesResponse,
  GrantRequest,
  LoginRequest,
  OfflineUsageRequest,
  PlansResponse,
  RegisterRequest,
  UsageGrantRequest,
} from './api';
import { ErrorBody, errorBody } from './errors';

describe('accounts', () => {
  it('normalises the email and bounds the password', () => {
    expect(Credentials.parse({ email: '  Ada@Example.COM ', password: 'correct horse' })).toEqual({
      email: 'ada@example.com',
      password: 'correct horse',
    });
    expect(Credentials.safeParse({ email: 'ada@example.com', password: 'short' }).success).toBe(false);
    expect(Credentials.safeParse({ email: 'ada@example.com', password: 'x'.repeat(129) }).success).toBe(
      false,
    );
    for (const blank of [' '.repeat(10), '\t'.repeat(12), ' \n '.repeat(5)])
      expect(Credentials.safeParse({ email: 'ada@example.com', password: blank }).success).toBe(false);
    expect(Credentials.safeParse({ email: 'ada@example.com', password: '         x' }).success).toBe(true);
    expect(Credentials.safeParse({ email: 'not-an-email', password: 'long enough pw' }).success).toBe(false);
    expect(Credentials.safeParse({ email: 'ada@example.com' }).success).toBe(false);
  });
  it('login takes any non-empty password, so a short one is merely wrong', () => {
    expect(LoginRequest.safeParse({ email: 'a@b.co', password: 'x' }).success).toBe(true);
    expect(LoginRequest.safeParse({ email: 'a@b.co', password: '' }).success).toBe(false);
  });
});

describe('billing', () => {
  it('accepts a checkout request and refuses a bad state', () => {
    expect(CheckoutRequest.safeParse({ priceId: 'price_123', state: 'abcdefghijklmnop' }).success).toBe(true);
    expect(CheckoutRequest.safeParse({ priceId: 'price_123', state: 'a b c d e f g h i j' }).success).toBe(
      false,
    );
    expect(CheckoutRequest.safeParse({ priceId: '', state: 'abcdefghijklmnop' }).success).toBe(false);
  });
  it('shapes plans and /billing/me', () => {
    expect(
      PlansResponse.safeParse({
        prices: [
          {
            id: 'price_1',
            interval: 'month',
            unitAmount: 999,
            currency: 'eur',
            productName: 'Siberia Mix Pro',
            taxBehavior: 'inclusive',
          },
        ],
        quotas: { exportsPerMonth: 500, mastersPerMonth: 200 },
      }).success,
    ).toBe(true);
    // Pro's quotas come with the prices: the pricing grid shows them as numbers.
    expect(PlansResponse.safeParse({ prices: [] }).success).toBe(false);
    expect(
      PlansResponse.safeParse({ prices: [{ id: 'price_1', interval: 'week', unitAmount: 999 }] }).success,
    ).toBe(false);
    const free = {
      plan: 'free',
      status: null,
      interval: null,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      exportsUsed: 0,
      exportsLimit: 0,
      mastersUsed: 0,
      mastersLimit: 0,
      exportsReserved: 0,
      mastersReserved: 0,
      quotaResetAt: '2026-12-01T00:00:00.000Z',
      attention: null,
    };
    expect(BillingMeResponse.safeParse(free).success).toBe(true);
    const dunning = {
      ...free,
      plan: 'pro',
      attention: { kind: 'payment_failed', until: '2026-12-15T00:00:00.000Z' },
    };
    expect(BillingMeResponse.safeParse(dunning).success).toBe(true);
    const threeDs = {
      ...free,
      attention: { kind: 'action_required', url: 'https://invoice.stripe.com/i/x' },
    };
    expect(BillingMeResponse.safeParse(threeDs).success).toBe(true);
    expect(BillingMeResponse.safeParse({ ...free, attention: { kind: 'payment_failed' } }).success).toBe(
      false,
    );
    expect(BillingMeResponse.parse({ ...free, attention: undefined }).attention).toBeNull();
    expect(BillingMeResponse.safeParse({ ...free, plan: 'gold' }).success).toBe(false);
    expect(BillingMeResponse.safeParse({ ...free, exportsUsed: -1 }).success).toBe(false);
    expect(BillingMeResponse.safeParse({ ...free, mastersReserved: -1 }).success).toBe(false);
  });
});

describe('usage', () => {
  it('takes a grant back as a bounded string, and lists devices with their limit', () => {
    expect(GrantRequest.safeParse({ grant: 'a.b.c' }).success).toBe(true);
    expect(GrantRequest.safeParse({ grant: '' }).success).toBe(false);
    expect(GrantRequest.safeParse({ grant: 'x'.repeat(4097) }).success).toBe(false);
    const device = {
      deviceId: 'dev_12345678',
      name: null,
      firstSeenAt: '2026-11-24T10:00:00.000Z',
      lastSeenAt: '2026-11-24T10:00:00.000Z',
      tokenExpiresAt: '2026-12-01T10:00:00.000Z',
    };
    expect(DevicesResponse.safeParse({ devices: [device], limit: 3 }).success).toBe(true);
    expect(DevicesResponse.safeParse({ devices: [{ ...device, deviceId: '../x' }], limit: 3 }).success).toBe(
      false,
    );
    expect(DevicesResponse.safeParse({ devices: [], limit: 0 }).success).toBe(false);
  });
  it('lets sign-in name its device, and only a well-formed one', () => {
    const login = { email: 'a@b.co', password: 'x' };
    expect(LoginRequest.parse({ ...login, deviceId: 'dev_12345678' }).deviceId).toBe('dev_12345678');
    expect(LoginRequest.safeParse({ ...login, deviceId: 'a b' }).success).toBe(false);
    expect(RegisterRequest.safeParse({ email: 'a@b.co', password: 'long enough pw' }).success).toBe(true);
  });

  it('requires kind, idempotency key and device', () => {
    expect(
      UsageGrantRequest.safeParse({
        kind: 'export',
        idempotencyKey: 'idem-12345678',
        deviceId: 'dev_12345678',
      }).success,
    ).toBe(true);
    expect(
      UsageGrantRequest.safeParse({
        kind: 'stream',
        idempotencyKey: 'idem-12345678',
        deviceId: 'dev_12345678',
      }).success,
    ).toBe(false);
    expect(
      UsageGrantRequest.safeParse({ kind: 'export', idempotencyKey: 'has space x', deviceId: 'dev_12345678' })
        .success,
    ).toBe(false);
    expect(
      UsageGrantRequest.safeParse({ kind: 'export', idempotencyKey: 'idem-12345678', deviceId: '../../etc' })
        .success,
    ).toBe(false);
  });
  it('bounds offline reports', () => {
    const use = {
      id: 'use-00000001',
      kind: 'master',
      at: '2026-11-24T10:00:00.000Z',
      deviceId: 'dev_12345678',
    };
    expect(OfflineUsageRequest.safeParse({ uses: [use] }).success).toBe(true);
    expect(OfflineUsageRequest.safeParse({ uses: [] }).success).toBe(false);
    expect(OfflineUsageRequest.safeParse({ uses: [{ ...use, at: 'yesterday' }] }).success).toBe(false);
  });
});

describe('errors and the route table', () => {
  it('has one error shape', () => {
    expect(
      ErrorBody.safeParse(errorBody('quota_exceeded', 'Monthly quota reached', { usage: {} })).success,
    ).toBe(true);
    expect(ErrorBody.safeParse({ error: { code: 'nope', message: 'x' } }).success).toBe(false);
    expect(ErrorBody.safeParse({ message: 'x' }).success).toBe(false);
    expect(errorBody('not_found', 'No such route')).toEqual({
      error: { code: 'not_found', message: 'No such route' },
    });
  });
  it('names every route once, with a method and a response schema', () => {
    const keys = Object.values(api).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of Object.values(api)) {
      expect(route.path.startsWith('/')).toBe(true);
      expect(route.response).toBeDefined();
      // A GET route's request, when it has one, is its query string: an empty query must do.
      if (route.method === 'GET' && route.request)
        expect((route.request as z.ZodType).safeParse({}).success).toBe(true);
    }
  });

  it('reads the invoices query: a page size and the last id seen, nothing else', () => {
    expect(InvoicesQuery.parse({})).toEqual({ limit: 20 });
    expect(InvoicesQuery.parse({ limit: '5', after: 'in_abc123' })).toEqual({ limit: 5, after: 'in_abc123' });
    for (const bad of [{ limit: '0' }, { limit: '101' }, { after: 'cus_1' }, { after: 'in_1;drop' }])
      expect(InvoicesQuery.safeParse(bad).success).toBe(false);
  });
});
