import type { ExternalOpener, Logger } from '../ports';

export const STRIPE_CHECKOUT_ORIGIN = 'https://checkout.stripe.com';
export const STRIPE_PORTAL_ORIGIN = 'https://billing.stripe.com';
/** Stripe's hosted invoice pages (pay, confirm 3-D Secure) and their PDFs. */
export const STRIPE_INVOICE_ORIGINS = ['https://invoice.stripe.com', 'https://pay.stripe.com'];

export type LinkPurpose = 'checkout' | 'portal' | 'invoice';

const STRIPE_ORIGINS: Record<LinkPurpose, readonly string[]> = {
  checkout: [STRIPE_CHECKOUT_ORIGIN],
  portal: [STRIPE_PORTAL_ORIGIN],
  invoice: STRIPE_INVOICE_ORIGINS,
};

/** The origins a URL of this purpose may have: Stripe's own hosts, or a configured emulator. */
export function allowedOrigins(purpose: LinkPurpose, emulatorOrigins: readonly string[]): string[] {
  return [...STRIPE_ORIGINS[purpose], ...emulatorOrigins];
}

/** Whether the URL's origin is exactly one of the allowed ones (no prefix or suffix games). */
export function isAllowedUrl(raw: string, origins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  return origins.some((o) => {
    try {
      return new URL(o).origin === url.origin;
    } catch {
      return false;
    }
  });
}

/** Opens URLs in the system browser only for allowed origins; anything else is refused and logged. */
export class ExternalLinks {
  constructor(
    private readonly deps: { open: ExternalOpener; emulatorOrigins: readonly string[]; logger: Logger },
  ) {}

  async open(url: string, purpose: LinkPurpose): Promise<boolean> {
    if (!isAllowedUrl(url, allowedOrigins(purpose, this.deps.emulatorOrigins))) {
      this.deps.logger.warn('refused to open a URL outside the allow-list', {
        purpose,
        url: url.slice(0, 200),
      });
      return false;
    }
    await this.deps.open(url);
    return true;
  }
}
