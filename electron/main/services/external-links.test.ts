import { describe, expect, it } from 'vitest';
import { createLinkAllowList } from '../link-allow-list';
import { ExternalLinks } from './external-links';

describe('external links', () => {
  it('opens only what the allow-list allows for the purpose, logging each refusal', async () => {
    const opened: string[] = [];
    const warnings: Array<Record<string, unknown> | undefined> = [];
    const links = new ExternalLinks({
      open: async (u) => {
        opened.push(u);
      },
      allowList: createLinkAllowList(['http://127.0.0.1:4010']),
      logger: { info() {}, error() {}, warn: (_m, data) => warnings.push(data) },
    });
    expect(await links.open('https://checkout.stripe.com/c/pay/cs_1', 'checkout')).toBe(true);
    expect(await links.open('https://billing.stripe.com/p/session/1', 'checkout')).toBe(false);
    expect(await links.open('https://billing.stripe.com/p/session/1', 'portal')).toBe(true);
    expect(await links.open('http://127.0.0.1:4010/p/session/1', 'portal')).toBe(true);
    expect(await links.open('https://evil.example/', 'portal')).toBe(false);
    expect(opened).toEqual([
      'https://checkout.stripe.com/c/pay/cs_1',
      'https://billing.stripe.com/p/session/1',
      'http://127.0.0.1:4010/p/session/1',
    ]);
    expect(warnings).toEqual([
      { purpose: 'checkout', url: 'https://billing.stripe.com/p/session/1' },
      { purpose: 'portal', url: 'https://evil.example/' },
    ]);
  });
});
