import { describe, expect, it } from 'vitest';
import { initialSession, MAX_NOTICES, sessionReducer, toastLifetime } from './session';

const pending = { phase: 'pending' as const, priceId: 'py', startedAt: '2026-11-01T10:00:00.000Z' };

describe('session reducer', () => {
  it('takes the locale from app info', () => {
    const s = sessionReducer(initialSession('en'), {
      type: 'info',
      info: { version: '1', platform: 'linux', serverUrl: 'x', locale: 'fr', deviceId: 'd' },
    });
    expect(s.locale).toBe('fr');
  });

  it('signing in closes the sign-in form, not other modals', () => {
    let s = sessionReducer(initialSession(), { type: 'openModal', modal: { type: 'auth', mode: 'signIn' } });
    const user = { id: 'u', email: 'a@b.c', plan: 'free' as const, createdAt: '2026-01-01T00:00:00.000Z' };
    s = sessionReducer(s, { type: 'account', account: { status: 'signed_in', user } });
    expect(s.modal).toBeNull();
    s = sessionReducer(s, { type: 'openModal', modal: { type: 'pricing' } });
    s = sessionReducer(s, { type: 'account', account: { status: 'signed_in', user } });
    expect(s.modal).toEqual({ type: 'pricing' });
  });

  it('a pending checkout replaces the pricing grid with the waiting panel', () => {
    let s = sessionReducer(initialSession(), { type: 'openModal', modal: { type: 'pricing' } });
    s = sessionReducer(s, { type: 'checkout', checkout: pending });
    expect(s.modal).toBeNull();
    expect(s.checkoutOpen).toBe(true);
    s = sessionReducer(s, { type: 'checkout', checkout: { ...pending, phase: 'success' } });
    expect(s.checkoutOpen).toBe(true);
    s = sessionReducer(s, { type: 'closeCheckout' });
    expect(s.checkoutOpen).toBe(false);
    s = sessionReducer(s, { type: 'checkout', checkout: { ...pending, phase: 'idle' } });
    expect(s.checkoutOpen).toBe(false);
  });

  it('keeps prices already shown when a reload fails', () => {
    const prices = [
      {
        id: 'p',
        interval: 'month' as const,
        unitAmount: 999,
        currency: 'eur',
        productName: 'Pro',
        taxBehavior: 'inclusive' as const,
      },
    ];
    const quotas = { exportsPerMonth: 500, mastersPerMonth: 200 };
    let s = sessionReducer(initialSession(), { type: 'plansLoaded', prices, quotas });
    s = sessionReducer(s, { type: 'plansFailed', error: { code: 'server_unreachable', message: 'down' } });
    expect(s.plans).toMatchObject({ status: 'failed', prices, quotas });
  });

  it('keeps the last few notices and dismisses by id', () => {
    let s = initialSession();
    for (let i = 0; i < MAX_NOTICES + 2; i++)
      s = sessionReducer(s, { type: 'notify', level: 'info', text: `n${i}` });
    expect(s.notices.map((n) => n.text)).toEqual(['n2', 'n3', 'n4', 'n5']);
    const id = s.notices[0]?.id as number;
    s = sessionReducer(s, { type: 'dismiss', id });
    expect(s.notices).toHaveLength(MAX_NOTICES - 1);
    expect(sessionReducer(s, { type: 'dismiss', id: 999 })).toBe(s);
  });

  it('does not say the same words twice while they are on screen', () => {
    let s = sessionReducer(initialSession(), { type: 'notify', level: 'info', text: 'already open' });
    const once = s;
    s = sessionReducer(s, { type: 'notify', level: 'info', text: 'already open' });
    expect(s).toBe(once);
    s = sessionReducer(s, { type: 'notify', level: 'error', text: 'already open' });
    expect(s.notices).toHaveLength(2);
    s = sessionReducer(s, { type: 'dismiss', id: s.notices[0]?.id as number });
    s = sessionReducer(s, { type: 'notify', level: 'info', text: 'already open' });
    expect(s.notices.map((n) => n.level)).toEqual(['error', 'info']);
  });
});

describe('toast lifetimes', () => {
  it('information and warnings leave by themselves, errors stay', () => {
    expect(toastLifetime({ id: 1, level: 'info', text: 'x' })).toBe(5000);
    expect(toastLifetime({ id: 1, level: 'info', text: 'x', undo: true })).toBe(8000);
    expect(toastLifetime({ id: 1, level: 'warning', text: 'x' })).toBe(7000);
    expect(toastLifetime({ id: 1, level: 'error', text: 'x' })).toBeNull();
  });
  it('a notice asked to stay (a clipped export with its offer) stays until dismissed', () => {
    expect(toastLifetime({ id: 1, level: 'warning', text: 'x', stays: true })).toBeNull();
    const action = {
      type: 'lowerMaster' as const,
      byDb: 2.4,
      enough: true,
      label: 'Lower the master by 2.4 dB',
    };
    const s = sessionReducer(initialSession(), {
      type: 'notify',
      level: 'warning',
      text: 'x',
      stays: true,
      action,
    });
    expect(s.notices).toEqual([{ id: 1, level: 'warning', text: 'x', stays: true, action }]);
  });
});
