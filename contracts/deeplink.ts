import { z } from 'zod';
import { CheckoutState } from './api';

export const DEFAULT_APP_SCHEME = 'siberiamix';
/** Links longer than this are refused before parsing: no real link of ours comes close. */
export const MAX_DEEP_LINK_LENGTH = 2048;

export const CheckoutSessionId = z.string().regex(/^cs_[A-Za-z0-9_]{1,250}$/, 'a Stripe Checkout Session id');

export const DeepLink = z.discriminatedUnion('route', [
  z.object({ route: z.literal('checkout/success'), sessionId: CheckoutSessionId, state: CheckoutState }),
  z.object({ route: z.literal('checkout/cancel'), state: CheckoutState }),
  z.object({ route: z.literal('portal/return') }),
]);
export type DeepLink = z.infer<typeof DeepLink>;

export type DeepLinkRefusal =
  | 'too_long'
  | 'not_a_url'
  | 'wrong_scheme'
  | 'unknown_route'
  | 'unexpected_parameter'
  | 'repeated_parameter'
  | 'invalid_parameter';

export type DeepLinkResult =
  | { ok: true; link: DeepLink }
  | { ok: false; reason: DeepLinkRefusal; detail: string };

const ALLOWED_PARAMS: Record<DeepLink['route'], readonly string[]> = {
  'checkout/success': ['session_id', 'state'],
  'checkout/cancel': ['state'],
  'portal/return': [],
};

function refuse(reason: DeepLinkRefusal, detail: string): DeepLinkResult {
  return { ok: false, reason, detail };
}

/**
 * Parses `siberiamix://checkout/success?session_id=…&state=…`, `…://checkout/cancel?state=…` and
 * `…://portal/return`. Strict: unknown routes, unknown or repeated parameters and malformed values
 * are refused, since a link is typed by anyone and carries no trust of its own.
 */
export function parseDeepLink(raw: unknown, scheme: string = DEFAULT_APP_SCHEME): DeepLinkResult {
  if (typeof raw !== 'string') return refuse('not_a_url', 'not a string');
  if (raw.length > MAX_DEEP_LINK_LENGTH)
    return refuse('too_long', `longer than ${MAX_DEEP_LINK_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not_a_url', 'not a URL');
  }
  if (url.protocol !== `${scheme}:`) return refuse('wrong_scheme', `scheme is not ${scheme}:`);
  if (url.username || url.password || url.port || url.hash)
    return refuse('unknown_route', 'unexpected URL parts');
  // Windows and some browsers add a trailing slash; the host is the first segment.
  const route = `${url.hostname}${url.pathname}`.replace(/\/+$/, '').toLowerCase();
  if (!(route in ALLOWED_PARAMS)) return refuse('unknown_route', `unknown route "${route.slice(0, 64)}"`);
  const typedRoute = route as DeepLink['route'];
  const allowed = ALLOWED_PARAMS[typedRoute];
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key))
      return refuse('unexpected_parameter', `unexpected parameter "${key.slice(0, 32)}"`);
    if (key in params) return refuse('repeated_parameter', `parameter "${key}" given twice`);
    params[key] = value;
  }
  const candidate =
    typedRoute === 'checkout/success'
      ? { route: typedRoute, sessionId: params.session_id, state: params.state }
      : typedRoute === 'checkout/cancel'
        ? { route: typedRoute, state: params.state }
        : { route: typedRoute };
  const parsed = DeepLink.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('invalid_parameter', `${issue?.path.join('.') || 'link'}: ${issue?.message ?? 'invalid'}`);
  }
  return { ok: true, link: parsed.data };
}

/** Builds a link of ours; the inverse of parseDeepLink. */
export function formatDeepLink(link: DeepLink, scheme: string = DEFAULT_APP_SCHEME): string {
  const checked = DeepLink.parse(link);
  switch (checked.route) {
    case 'checkout/success':
      return `${scheme}://checkout/success?${new URLSearchParams({ session_id: checked.sessionId, state: checked.state })}`;
    case 'checkout/cancel':
      return `${scheme}://checkout/cancel?${new URLSearchParams({ state: checked.state })}`;
    case 'portal/return':
      return `${scheme}://portal/return`;
  }
}

/** Finds our link among process arguments (Windows, Linux), by scheme rather than by position. */
export function findDeepLinkInArgv(
  argv: readonly string[],
  scheme: string = DEFAULT_APP_SCHEME,
): string | null {
  const prefix = `${scheme}://`;
  return argv.find((arg) => arg.toLowerCase().startsWith(prefix)) ?? null;
}
