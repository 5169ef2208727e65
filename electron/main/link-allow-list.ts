/** Stripe's own hosts for the pages the app sends a musician to. */
export const STRIPE_CHECKOUT_ORIGIN = 'https://checkout.stripe.com';
export const STRIPE_PORTAL_ORIGIN = 'https://billing.stripe.com';
/** Stripe's hosted invoice pages (pay, confirm 3-D Secure) and their PDFs. */
export const STRIPE_INVOICE_ORIGINS = ['https://invoice.stripe.com', 'https://pay.stripe.com'] as const;

export type LinkPurpose = 'checkout' | 'portal' | 'invoice';

/**
 * The one list of web pages main opens in the system browser: Stripe's checkout and portal hosts,
 * each for its purpose, and the configured emulator (which serves both pages) in development.
 * `ExternalLinks` and the window's window.open handler both ask this list, so they cannot disagree.
 */
export type LinkAllowList = {
  /** Whether the URL may be opened for this purpose; without one, for any purpose. */
  allows(url: string, purpose?: LinkPurpose): boolean;
};

export function createLinkAllowList(emulatorOrigins: readonly string[]): LinkAllowList {
  // A malformed configured origin allows nothing rather than failing the whole list.
  const emulators = emulatorOrigins.flatMap((o) => {
    const origin = parseWebUrl(o)?.origin;
    return origin ? [origin] : [];
  });
  const stripe: Record<LinkPurpose, readonly string[]> = {
    checkout: [STRIPE_CHECKOUT_ORIGIN],
    portal: [STRIPE_PORTAL_ORIGIN],
    invoice: STRIPE_INVOICE_ORIGINS,
  };
  return {
    allows(raw, purpose) {
      const url = parseWebUrl(raw);
      if (!url || url.username || url.password) return false;
      const origins = purpose ? stripe[purpose] : Object.values(stripe).flat();
      return [...origins, ...emulators].includes(url.origin);
    },
  };
}

/** http(s) URLs only: no javascript:, file:, custom schemes or text that is not a URL. */
function parseWebUrl(raw: string): URL | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}
