import type { DevicesResponse } from '../../contracts/api';
import type { SiberiaBridge } from '../../contracts/bridge';
import { call } from '../bridge';
import { type AuthFields, type AuthMode, hasErrors, validateAuth } from '../state/auth-form';
import type { SessionAction, SessionState } from '../state/session';
import type { Store } from '../state/store';
import { errorText, type Text } from '../state/text';
import type { Notices } from './notices';

export type AuthOutcome = { ok: true } | { ok: false; error: Text };

/** The account, the entitlements main verified, the prices, checkout and the portal, and the locale. */
export class AccountBilling {
  constructor(
    private readonly deps: {
      bridge: SiberiaBridge;
      session: Store<SessionState, SessionAction>;
      notices: Notices;
    },
  ) {}

  private get session() {
    return this.deps.session;
  }

  async loadPlans(): Promise<void> {
    if (this.session.getState().plans.status === 'loading') return;
    this.session.dispatch({ type: 'plansLoading' });
    const plans = await call(() => this.deps.bridge.billing.getPlans());
    if (plans.ok) this.session.dispatch({ type: 'plansLoaded', ...plans.value });
    else this.session.dispatch({ type: 'plansFailed', error: plans.error });
  }

  async authenticate(mode: AuthMode, fields: AuthFields): Promise<AuthOutcome> {
    const invalid = validateAuth(mode, fields);
    if (hasErrors(invalid)) return { ok: false, error: (invalid.email ?? invalid.password) as Text };
    const input = { email: fields.email.trim(), password: fields.password };
    const { account } = this.deps.bridge;
    const result = await call(() => (mode === 'signIn' ? account.signIn(input) : account.signUp(input)));
    if (!result.ok) return { ok: false, error: errorText(result.error) };
    this.session.dispatch({ type: 'account', account: result.value });
    void this.refreshEntitlements();
    return { ok: true };
  }

  /** "Forgot password?": asks for the link; the answer is the same whether or not the email has an account. */
  async requestPasswordReset(email: string): Promise<AuthOutcome> {
    const invalid = validateAuth('signIn', { email, password: 'unused' });
    if (invalid.email) return { ok: false, error: invalid.email };
    const result = await call(() => this.deps.bridge.account.requestPasswordReset({ email: email.trim() }));
    return result.ok ? { ok: true } : { ok: false, error: errorText(result.error) };
  }

  /** The devices holding a place on the account, or why they could not be listed. */
  async devices(): Promise<{ ok: true; value: DevicesResponse } | { ok: false; error: Text }> {
    const answer = await call(() => this.deps.bridge.account.devices());
    return answer.ok ? answer : { ok: false, error: errorText(answer.error) };
  }

  /** Signs another device out; answers the list after, or why not. */
  async signOutDevice(
    deviceId: string,
  ): Promise<{ ok: true; value: DevicesResponse } | { ok: false; error: Text }> {
    const answer = await call(() => this.deps.bridge.account.signOutDevice({ deviceId }));
    return answer.ok ? answer : { ok: false, error: errorText(answer.error) };
  }

  async signOut(): Promise<void> {
    const result = await call(() => this.deps.bridge.account.signOut());
    if (result.ok) this.session.dispatch({ type: 'account', account: result.value });
    else this.deps.notices.failed(result.error);
    void this.refreshEntitlements(false);
  }

  /** Asks main to fetch a fresh token (or, `fromServer` false, what it already believes). */
  async refreshEntitlements(fromServer = true): Promise<void> {
    const { entitlements } = this.deps.bridge;
    const result = await call(() => (fromServer ? entitlements.refresh() : entitlements.get()));
    if (result.ok) this.session.dispatch({ type: 'entitlements', entitlements: result.value });
    else if (fromServer) this.deps.notices.failed(result.error);
  }

  async openPortal(): Promise<void> {
    const result = await call(() => this.deps.bridge.billing.openPortal());
    if (!result.ok) this.deps.notices.failed(result.error);
  }

  /** A renewal waits for 3-D Secure: main opens Stripe's invoice page for it. */
  async confirmPayment(): Promise<void> {
    const result = await call(() => this.deps.bridge.billing.confirmPayment());
    if (!result.ok) this.deps.notices.failed(result.error);
  }

  async startCheckout(priceId: string): Promise<void> {
    if (this.session.getState().account.status !== 'signed_in') {
      this.session.dispatch({ type: 'openModal', modal: { type: 'auth', mode: 'signUp' } });
      return;
    }
    this.checkoutAnswer(await call(() => this.deps.bridge.billing.startCheckout({ priceId })));
  }

  async checkoutAction(action: 'reopen' | 'refresh' | 'cancel'): Promise<void> {
    const b = this.deps.bridge.billing;
    if (action === 'refresh') {
      await this.refreshEntitlements();
      const checkout = await call(() => b.getCheckout());
      if (checkout.ok) this.session.dispatch({ type: 'checkout', checkout: checkout.value });
      return;
    }
    this.checkoutAnswer(await call(() => (action === 'reopen' ? b.reopenCheckout() : b.cancelCheckout())));
  }

  private checkoutAnswer(result: Awaited<ReturnType<SiberiaBridge['billing']['getCheckout']>>): void {
    if (result.ok) this.session.dispatch({ type: 'checkout', checkout: result.value });
    else this.deps.notices.failed(result.error);
  }

  closeCheckout(): void {
    this.session.dispatch({ type: 'closeCheckout' });
  }

  async setLocale(locale: 'en' | 'fr'): Promise<void> {
    this.session.dispatch({ type: 'locale', locale });
    const result = await call(() => this.deps.bridge.app.setLocale({ locale }));
    if (result.ok) this.session.dispatch({ type: 'info', info: result.value });
  }
}
