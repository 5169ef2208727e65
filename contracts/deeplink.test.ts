import { describe, expect, it } from 'vitest';
import { findDeepLinkInArgv, formatDeepLink, parseDeepLink } from './deeplink';

const STATE = 'st_0123456789abcdefXYZ';

describe('parseDeepLink', () => {
  it('accepts a checkout success link', () => {
    expect(parseDeepLink(`siberiamix://checkout/success?session_id=cs_test_a1B2&state=${STATE}`)).toEqual({
      ok: true,
      link: { route: 'checkout/success', sessionId: 'cs_test_a1B2', state: STATE },
    });
  });
  it('accepts cancel and portal links, with a trailing slash and parameters in any order', () => {
    expect(parseDeepLink(`siberiamix://checkout/cancel/?state=${STATE}`)).toEqual({
      ok: true,
      link: { route: 'checkout/cancel', state: STATE },
    });
    expect(parseDeepLink('siberiamix://portal/return')).toEqual({
      ok: true,
      link: { route: 'portal/return' },
    });
    expect(parseDeepLink(`siberiamix://checkout/success?state=${STATE}&session_id=cs_x`).ok).toBe(true);
  });
  it('round-trips with formatDeepLink', () => {
    const links = [
      { route: 'checkout/success', sessionId: 'cs_test_1', state: STATE },
      { route: 'checkout/cancel', state: STATE },
      { route: 'portal/return' },
    ] as const;
    for (const link of links) expect(parseDeepLink(formatDeepLink(link))).toEqual({ ok: true, link });
  });
  it('honours another scheme', () => {
    expect(parseDeepLink('siberiamix-dev://portal/return', 'siberiamix-dev').ok).toBe(true);
    expect(parseDeepLink('siberiamix://portal/return', 'siberiamix-dev')).toMatchObject({
      ok: false,
      reason: 'wrong_scheme',
    });
  });
  it.each([
    [42, 'not_a_url'],
    ['not a url', 'not_a_url'],
    [`https://checkout/success?session_id=cs_1&state=${STATE}`, 'wrong_scheme'],
    [`siberiamix://checkout/refund?state=${STATE}`, 'unknown_route'],
    ['siberiamix://', 'unknown_route'],
    [`siberiamix://user:pw@checkout/cancel?state=${STATE}`, 'unknown_route'],
    [`siberiamix://checkout/cancel?state=${STATE}#frag`, 'unknown_route'],
    [`siberiamix://checkout/success?session_id=cs_1&state=${STATE}&plan=pro`, 'unexpected_parameter'],
    [`siberiamix://checkout/success?session_id=cs_1&session_id=cs_2&state=${STATE}`, 'repeated_parameter'],
    [`siberiamix://checkout/success?session_id=pi_123&state=${STATE}`, 'invalid_parameter'],
    [`siberiamix://checkout/success?state=${STATE}`, 'invalid_parameter'],
    ['siberiamix://checkout/success?session_id=cs_1&state=short', 'invalid_parameter'],
    [`siberiamix://checkout/success?session_id=cs_1&state=${'<script>'.repeat(4)}`, 'invalid_parameter'],
    ['siberiamix://portal/return?next=https://evil.example', 'unexpected_parameter'],
    [`siberiamix://checkout/cancel?state=${'a'.repeat(3000)}`, 'too_long'],
  ])('refuses %s (%s)', (raw, reason) => {
    const result = parseDeepLink(raw);
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) expect(result.detail.length).toBeGreaterThan(0);
  });
});

describe('findDeepLinkInArgv', () => {
  it('finds the link by scheme, wherever it stands', () => {
    const link = 'siberiamix://portal/return';
    expect(findDeepLinkInArgv(['/opt/Siberia Mix/siberia-mix', '--no-sandbox', link])).toBe(link);
    expect(findDeepLinkInArgv([link, '--flag'])).toBe(link);
    expect(findDeepLinkInArgv(['electron', '.', '--inspect'])).toBeNull();
  });
});
