import { describe, expect, it } from 'vitest';
import { createLinkAllowList } from './link-allow-list';
import { createNavigationPolicy } from './navigation-policy';

const policy = createNavigationPolicy(createLinkAllowList(['http://127.0.0.1:4010']));

describe('the navigation policy', () => {
  it.each([
    ['app://siberia/index.html', true],
    ['app://siberia/assets/app.js?x=1#y', true],
    ['app://siberia.evil/index.html', false],
    ['app://other/index.html', false],
    ['https://checkout.stripe.com/c/pay/1', false],
    ['https://evil.example/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>1</script>', false],
    ['siberiamix://checkout/success', false],
    ['nonsense', false],
  ])('navigating to %s → %s', (url, allowed) => {
    expect(policy.mayNavigate(url)).toBe(allowed);
  });

  it.each([
    ['https://checkout.stripe.com/c/pay/1', true],
    ['https://billing.stripe.com/p/session/1', true],
    // The emulator's portal: refused by the old inline handler, allowed by ExternalLinks.
    ['http://127.0.0.1:4010/p/session/1', true],
    ['http://127.0.0.1:4010/c/pay/cs_1', true],
    ['https://evil.example/', false],
    ['app://siberia/index.html', false],
    ['about:blank', false],
    ['javascript:alert(1)', false],
  ])('window.open(%s) opens no window; the system browser opens it: %s', (url, external) => {
    expect(policy.windowOpen(url)).toEqual({ action: 'deny', openExternally: external });
  });
});
