import type { CardBehavior } from './billing';

/** What a test card number does (https://docs.stripe.com/testing); anything else is refused as invalid. */
export function cardBehavior(number: string): CardBehavior | 'invalid' {
  const digits = number.replace(/[\s-]/g, '');
  if (digits === '4242424242424242' || digits === '5555555555554444') return 'pays';
  // On Stripe this card attaches and then fails to charge; here it pays now and fails at renewal,
  // so one purchase can exercise the dunning path.
  if (digits === '4000000000000341') return 'fails_at_renewal';
  if (digits === '4000000000000002') return 'declined';
  return 'invalid';
}

/** Stripe's test PaymentMethod ids, for customers created over the API. */
const PAYMENT_METHODS: Record<string, CardBehavior> = {
  pm_card_visa: 'pays',
  pm_card_mastercard: 'pays',
  pm_card_chargeDeclined: 'declined',
  pm_card_chargeCustomerFail: 'fails_at_renewal',
};

export function paymentMethodBehavior(id: string): CardBehavior | undefined {
  return Object.hasOwn(PAYMENT_METHODS, id) ? PAYMENT_METHODS[id] : undefined;
}

export const TEST_PAYMENT_METHODS = Object.keys(PAYMENT_METHODS);
