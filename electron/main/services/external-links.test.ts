import { describe, expect, it } from 'vitest';
import { ExternalLinks, isAllowedUrl } from './external-links';

describe('external links', () => {
  it('allows exactly the allowed origins', () => {
    const origins = ['https://checkout.stripe.com', 'http://127.0.0.1:4010'];
    expect(isAllowedUrl('https://checkout.stripe.com/c/pay/cs_test_1', origins)).toBe(true);
    expect(isAllowedUrl('http://127.0.0.1:4010/c/pay/cs_test_1', origins)).toBe(true);
    for (const bad of [
      'https://checkout.stripe.com.evil.example/c/pay',
      'https://evil.example/?https://checkout.stripe.com',
      'http://checkout.stripe.com/c/pay',
      'https://user@checkout.stripe.com/c/pay',
      'http://127.0.0.1:4011/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(isAllowedUrl(bad, origins), bad).toBe(false);
  });

  it('opens checkout URLs on the checkout host and portal URLs on the billing host only, logging refusals', async () => {
    const opened: string[] = [];
    const warnings: string[] = [];
    const links = new ExternalLinks({
      open: async (u) => {
        opened.push(u);
      },
      emulatorOrigins: [],
      logger: { info() {}, error() {}, warn: (m) => warnings.push(m) },
    });
    expect(await links.open('https://checkout.stripe.com/c/pay/cs_1', 'checkout')).toBe(true);
    expect(await links.open('https://billing.stripe.com/p/session/1', 'checkout')).toBe(false);
    expect(await links.open('https://billing.stripe.com/p/session/1', 'portal')).toBe(true);
    expect(await links.open('https://evil.example/', 'portal')).toBe(false);
    expect(opened).toEqual([
      'https://checkout.stripe.com/c/pay/cs_1',
      'https://billing.stripe.com/p/session/1',
    ]);
    expect(warnings).toHaveLength(2);
  });
});
