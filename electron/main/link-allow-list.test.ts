import { describe, expect, it } from 'vitest';
import { createLinkAllowList, type LinkPurpose } from './link-allow-list';

const emulator = 'http://127.0.0.1:4010';
const list = createLinkAllowList([emulator, 'not an origin']);

// [url, purpose (undefined: any), allowed]
const cases: Array<[string, LinkPurpose | undefined, boolean]> = [
  ['https://checkout.stripe.com/c/pay/cs_test_1', 'checkout', true],
  ['https://checkout.stripe.com/c/pay/cs_test_1', 'portal', false],
  ['https://checkout.stripe.com/c/pay/cs_test_1', undefined, true],
  ['https://billing.stripe.com/p/session/1', 'portal', true],
  ['https://billing.stripe.com/p/session/1', 'checkout', false],
  ['https://billing.stripe.com/p/session/1', undefined, true],
  // Invoices: Stripe's hosted invoice page and its PDF host, for that purpose only.
  ['https://invoice.stripe.com/i/acct_1/test_x', 'invoice', true],
  ['https://pay.stripe.com/invoice/acct_1/test_x/pdf', 'invoice', true],
  ['https://invoice.stripe.com/i/acct_1/test_x', 'checkout', false],
  ['https://checkout.stripe.com/c/pay/cs_test_1', 'invoice', false],
  [`${emulator}/i/in_1`, 'invoice', true],
  ['https://invoice.stripe.com.evil.example/i/x', 'invoice', false],
  // The emulator serves both pages: allowed for both purposes, and by window.open.
  [`${emulator}/c/pay/cs_test_1`, 'checkout', true],
  [`${emulator}/p/session/1`, 'portal', true],
  [`${emulator}/p/session/1`, undefined, true],
  ['http://127.0.0.1:4011/', undefined, false],
  ['http://localhost:4010/', undefined, false],
  // Look-alikes, wrong schemes, credentials and non-URLs.
  ['https://checkout.stripe.com.evil.example/c/pay', undefined, false],
  ['https://evil.example/?https://checkout.stripe.com', undefined, false],
  ['https://evil.example/#https://billing.stripe.com', 'portal', false],
  ['http://checkout.stripe.com/c/pay', 'checkout', false],
  ['https://checkout.stripe.com:444/c/pay', 'checkout', false],
  ['https://user@checkout.stripe.com/c/pay', 'checkout', false],
  ['https://user:pw@billing.stripe.com/', 'portal', false],
  ['https://stripe.com/', undefined, false],
  ['javascript:alert(1)', undefined, false],
  ['file:///etc/passwd', undefined, false],
  ['app://siberia/index.html', undefined, false],
  ['siberiamix://checkout/success?state=x', undefined, false],
  ['not a url', undefined, false],
  ['', undefined, false],
];

describe('the link allow-list', () => {
  it.each(cases)('%s for %s → %s', (url, purpose, allowed) => {
    expect(list.allows(url, purpose)).toBe(allowed);
  });

  it('without an emulator allows Stripe’s hosts only, and a malformed emulator origin allows nothing', () => {
    const stripeOnly = createLinkAllowList([]);
    expect(stripeOnly.allows('https://checkout.stripe.com/c/pay/1')).toBe(true);
    expect(stripeOnly.allows(`${emulator}/c/pay/1`)).toBe(false);
    expect(createLinkAllowList(['nonsense', 'file:///tmp']).allows('file:///tmp/x')).toBe(false);
  });
});
