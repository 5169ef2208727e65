import type { CardBehavior } from './billing';

/** What a test card number does (https://docs.stripe.com/testing); anything else is refused as invalid. */
export function cardBehavior(number: string): CardBehavior | 'invalid' {
  const digits = number.replace(/[\s-]/g, '');
  if (digits === '4242424242424242' || digits === '5555555555554444') return 'pays';
  // On Stripe this card attaches and then fails to charge; here it pays now and fails at renewal,
  // so one purchase can exercise the dunning path.
  if (digits === '4000000000000341') return 'fails_at_renewal';
  if (digits === '4000000000000002') return 'declined';
  // Asks for 3-D Secure on every payment: completed by the customer on Checkout or the hosted invoice
  // page, so it pays there and needs the customer again at each renewal.
  if (digits === '4000002760003184') return 'authentication_required';
  return 'invalid';
}

/** Stripe's test PaymentMethod ids, for customers created over the API. */
const PAYMENT_METHODS: Record<string, CardBehavior> = {
  pm_card_visa: 'pays',
  pm_card_mastercard: 'pays',
  pm_card_chargeDeclined: 'declined',
  pm_card_chargeCustomerFail: 'fails_at_renewal',
  pm_card_authenticationRequired: 'authentication_required',
};

export function paymentMethodBehavior(id: string): CardBehavior | undefined {
  return Object.hasOwn(PAYMENT_METHODS, id) ? PAYMENT_METHODS[id] : undefined;
}

export const TEST_PAYMENT_METHODS = Object.keys(PAYMENT_METHODS);

/** The test PaymentMethod id a charge names for a card (the first one listed that behaves so). */
export function paymentMethodOf(card: CardBehavior): string {
  return Object.keys(PAYMENT_METHODS).find((id) => PAYMENT_METHODS[id] === card) as string;
}
