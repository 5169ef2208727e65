// The pure parts: Stripe's bracket form grammar, test cards, delivery switches and signatures.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { cardBehavior, paymentMethodBehavior } from './cards';
import { parseDeliveryOptions, signPayload } from './delivery';
import { StripeApiError } from './errors';
import { parseStripeForm } from './form';

const parseError = (text: string) => {
  try {
    parseStripeForm(text);
  } catch (err) {
    return err as StripeApiError;
  }
  throw new Error(`parsed: ${text}`);
};

describe('parseStripeForm', () => {
  it('nests brackets into objects and arrays as the SDK encodes them', () => {
    const text =
      'mode=subscription&line_items[0][price]=price_1&line_items[0][quantity]=1&line_items[1][price]=price_2' +
      '&metadata[user_id]=u%201&expand[]=subscription&expand[]=customer&subscription_data[metadata][k]=v';
    expect(parseStripeForm(text)).toEqual({
      mode: 'subscription',
      line_items: [{ price: 'price_1', quantity: '1' }, { price: 'price_2' }],
      metadata: { user_id: 'u 1' },
      expand: ['subscription', 'customer'],
      subscription_data: { metadata: { k: 'v' } },
    });
  });

  it('decodes percent-encoded brackets, as the SDK sends them', () => {
    expect(parseStripeForm('metadata%5Buser_id%5D=42&expand%5B0%5D=data.product')).toEqual({
      metadata: { user_id: '42' },
      expand: ['data.product'],
    });
  });

  it('reads an empty body and an empty value', () => {
    expect(parseStripeForm('')).toEqual({});
    expect(parseStripeForm('metadata=')).toEqual({ metadata: '' });
  });

  it('refuses keys outside the grammar and conflicting uses, as 400 parameter_invalid', () => {
    for (const text of [
      'a[b=1',
      'a]=1',
      '[x]=1',
      'a[b]c=1',
      'a=1&a[b]=2',
      'a[b]=1&a=2',
      'a[]=1&a[x]=2',
      'a[100000]=1',
    ]) {
      const err = parseError(text);
      expect(err).toBeInstanceOf(StripeApiError);
      expect(err.status).toBe(400);
      expect(err.body().error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid' });
    }
  });

  it('refuses keys that would reach Object.prototype, and pollutes nothing', () => {
    for (const text of [
      '__proto__[polluted]=1',
      'metadata[__proto__][polluted]=1',
      'constructor[prototype][polluted]=1',
      'toString[polluted]=1',
    ]) {
      if (text.startsWith('toString')) expect(parseStripeForm(text)).toEqual({ toString: { polluted: '1' } });
      else expect(parseError(text).status).toBe(400);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype.toString as unknown as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('keeps a long key out of the message', () => {
    const err = parseError(`${'x'.repeat(5000)}]=1`);
    expect(err.message.length).toBeLessThan(200);
  });
});

describe('test cards', () => {
  it('knows the cards the hosted page takes', () => {
    expect(cardBehavior('4242 4242 4242 4242')).toBe('pays');
    expect(cardBehavior('4242-4242-4242-4242')).toBe('pays');
    expect(cardBehavior('4000 0000 0000 0002')).toBe('declined');
    expect(cardBehavior('4000000000000341')).toBe('fails_at_renewal');
    expect(cardBehavior('4111 1111 1111 1111')).toBe('invalid');
    expect(cardBehavior('')).toBe('invalid');
  });

  it('knows Stripe’s test payment method ids', () => {
    expect(paymentMethodBehavior('pm_card_visa')).toBe('pays');
    expect(paymentMethodBehavior('pm_card_chargeDeclined')).toBe('declined');
    expect(paymentMethodBehavior('pm_card_chargeCustomerFail')).toBe('fails_at_renewal');
    expect(paymentMethodBehavior('pm_card_unknown')).toBeUndefined();
    expect(paymentMethodBehavior('toString')).toBeUndefined();
  });
});

describe('delivery switches', () => {
  it('takes known whole numbers and booleans', () => {
    expect(parseDeliveryOptions({ retryBaseMs: 0, maxAttempts: 2, duplicate: true, shuffle: false })).toEqual(
      {
        retryBaseMs: 0,
        maxAttempts: 2,
        duplicate: true,
        shuffle: false,
      },
    );
  });

  it('refuses anything else, naming it', () => {
    expect(() => parseDeliveryOptions({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => parseDeliveryOptions({ timeoutMs: 1.5 })).toThrow(/timeoutMs/);
    expect(() => parseDeliveryOptions({ delayMs: -1 })).toThrow(/delayMs/);
    expect(() => parseDeliveryOptions({ duplicate: 'true' })).toThrow(/duplicate/);
    expect(() => parseDeliveryOptions({ retries: 3 })).toThrow(/retries/);
    expect(() => parseDeliveryOptions([])).toThrow(/object/);
  });
});

describe('signPayload', () => {
  it('makes a header the SDK accepts, and only with the same secret and payload', async () => {
    const stripe = new Stripe('sk_test_x');
    const payload = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'customer.created',
      data: { object: {} },
    });
    const header = signPayload(payload, 'whsec_abc');
    expect(stripe.webhooks.constructEvent(payload, header, 'whsec_abc').id).toBe('evt_1');
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow();
    expect(() => stripe.webhooks.constructEvent(`${payload} `, header, 'whsec_abc')).toThrow();
    // An old timestamp is refused by the SDK's tolerance: the emulator signs with the real time.
    const old = signPayload(payload, 'whsec_abc', Math.floor(Date.now() / 1000) - 3600);
    expect(() => stripe.webhooks.constructEvent(payload, old, 'whsec_abc', 300)).toThrow(/tolerance/i);
  });
});
