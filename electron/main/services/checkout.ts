import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PlansResponse } from '../../../contracts/api';
import type { CheckoutStatus } from '../../../contracts/bridge';
import type { DeepLink } from '../../../contracts/deeplink';
import { BridgeFailure } from '../bridge-failure';
import type { Clock, EventSink, Logger } from '../ports';
import type { ServerClient } from '../server-client';
import type { AccountService } from './account';
import type { EntitlementService } from './entitlements';
import type { ExternalLinks } from './external-links';
import type { Settings } from './settings';

export const CHECKOUT_TTL_MS = 60 * 60 * 1000;

/**
 * The checkout in progress, kept in the settings: a musician may close the app while paying, and the
 * browser's return link then starts it afresh; the link is taken only if this matches it.
 */
const Pending = z.object({
  state: z.string().min(16).max(128),
  priceId: z.string().min(1).max(255),
  startedAtMs: z.number().int().min(0),
  url: z.url(),
});
type Pending = z.infer<typeof Pending>;
const PENDING_KEY = 'checkout.pending';

/**
 * Stripe Checkout in the system browser. Each checkout gets a fresh random `state`; only a deep link
 * carrying that state is taken as the browser coming back, and even then the server, not the link,
 * says whether the user is Pro now.
 */
export class CheckoutService {
  private pendingCheckout: Pending | null;
  private starting: Promise<CheckoutStatus> | null = null;
  private last: CheckoutStatus = { phase: 'idle', priceId: null, startedAt: null };

  constructor(
    private readonly deps: {
      client: ServerClient;
      account: AccountService;
      entitlements: EntitlementService;
      links: ExternalLinks;
      settings: Settings;
      emit: EventSink;
      clock: Clock;
      logger: Logger;
    },
  ) {
    this.pendingCheckout = deps.settings.get(PENDING_KEY, Pending) ?? null;
    if (this.pendingCheckout) this.last = this.pendingStatus(this.pendingCheckout);
  }

  private get pending(): Pending | null {
    return this.pendingCheckout;
  }
  private set pending(p: Pending | null) {
    this.pendingCheckout = p;
    if (p) this.deps.settings.set(PENDING_KEY, p);
    else this.deps.settings.delete(PENDING_KEY);
  }

  async plans(): Promise<PlansResponse> {
    return this.deps.client.call('plans', undefined);
  }

  /** The current status; a pending checkout older than an hour has expired. */
  status(): CheckoutStatus {
    if (this.pending && this.deps.clock.nowMs() - this.pending.startedAtMs >= CHECKOUT_TTL_MS) {
      const { priceId, startedAtMs } = this.pending;
      this.pending = null;
      this.set({ phase: 'expired', priceId, startedAt: new Date(startedAtMs).toISOString() });
    }
    return this.last;
  }

  private set(status: CheckoutStatus): CheckoutStatus {
    this.last = status;
    this.deps.emit('checkout.changed', status);
    return status;
  }

  private pendingStatus(p: Pending): CheckoutStatus {
    return { phase: 'pending', priceId: p.priceId, startedAt: new Date(p.startedAtMs).toISOString() };
  }

  /**
   * Opens a Checkout page, unless one is pending or on its way: a double click, a second pricing
   * window or monthly-then-annual gives the pending checkout back and says so, never a second page.
   */
  async start(priceId: string): Promise<CheckoutStatus> {
    if (!this.deps.account.signedIn()) throw new BridgeFailure('unauthorized', 'Sign in to subscribe.');
    const pending = this.status().phase === 'pending' ? this.pending : null;
    if (this.starting || pending) {
      this.deps.emit('notice', {
        level: 'info',
        code: 'checkout_pending',
        message: 'A checkout is already open in your browser: finish it there, or cancel it first.',
      });
      return this.starting ?? this.pendingStatus(pending as Pending);
    }
    this.starting = this.open(priceId);
    try {
      return await this.starting;
    } finally {
      this.starting = null;
    }
  }

  private async open(priceId: string): Promise<CheckoutStatus> {
    // The server may hand back an open session of ours for this price, with the state it carries.
    const { url, state } = await this.deps.account.authed('checkout', {
      priceId,
      state: randomBytes(24).toString('base64url'),
    });
    if (!(await this.deps.links.open(url, 'checkout')))
      throw new BridgeFailure('internal', 'The checkout page is not on an allowed host.');
    this.pending = { state, priceId, startedAtMs: this.deps.clock.nowMs(), url };
    return this.set(this.pendingStatus(this.pending));
  }

  /** Opens the pending checkout page again (the user closed the tab). */
  async reopen(): Promise<CheckoutStatus> {
    const status = this.status();
    if (!this.pending) throw new BridgeFailure('not_found', 'No checkout is in progress.');
    await this.deps.links.open(this.pending.url, 'checkout');
    return status;
  }

  cancel(): CheckoutStatus {
    const status = this.status();
    if (!this.pending) return status;
    const { priceId, startedAtMs } = this.pending;
    this.pending = null;
    return this.set({ phase: 'cancelled', priceId, startedAt: new Date(startedAtMs).toISOString() });
  }

  async openPortal(): Promise<{ opened: boolean }> {
    const { url } = await this.deps.account.authed('portal', undefined);
    return { opened: await this.deps.links.open(url, 'portal') };
  }

  /**
   * A renewal waits for 3-D Secure: the hosted invoice page the server named, opened only on
   * Stripe's invoice hosts (or the configured emulator).
   */
  async confirmPayment(): Promise<{ opened: boolean }> {
    const attention = (await this.deps.entitlements.refresh()).attention;
    if (attention?.kind !== 'action_required' || !attention.url)
      throw new BridgeFailure('not_found', 'No payment is waiting for confirmation.');
    return { opened: await this.deps.links.open(attention.url, 'invoice') };
  }

  /** A parsed deep link. Returns whether it changed anything (a forged or stale link does not). */
  async handleLink(link: DeepLink): Promise<boolean> {
    if (link.route === 'portal/return') {
      await this.deps.entitlements.refresh();
      return true;
    }
    this.status();
    if (!this.pending || link.state !== this.pending.state) {
      this.deps.logger.warn('deep link with an unknown or stale state ignored', { route: link.route });
      return false;
    }
    const { priceId, startedAtMs } = this.pending;
    const startedAt = new Date(startedAtMs).toISOString();
    this.pending = null;
    if (link.route === 'checkout/cancel') {
      this.set({ phase: 'cancelled', priceId, startedAt });
      return true;
    }
    const state = await this.deps.entitlements.refresh();
    this.set({ phase: state.plan === 'free' ? 'unconfirmed' : 'success', priceId, startedAt });
    return true;
  }

  /** The window came back into focus: if a checkout is pending, the server may already know. */
  async onFocus(): Promise<void> {
    this.status();
    if (!this.pending) return;
    const state = await this.deps.entitlements.refresh();
    if (state.plan !== 'free' && this.pending) {
      const { priceId, startedAtMs } = this.pending;
      this.pending = null;
      this.set({ phase: 'success', priceId, startedAt: new Date(startedAtMs).toISOString() });
    }
  }
}
