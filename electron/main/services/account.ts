import type {
  AuthResponse,
  Credentials,
  DevicesResponse,
  PublicUser,
  RouteName,
  RouteRequest,
  RouteResponse,
} from '../../../contracts/api';
import { PasswordResetRequest } from '../../../contracts/api';
import type { AccountState } from '../../../contracts/bridge';
import { BridgeFailure } from '../bridge-failure';
import type { Clock, EventSink, Logger, Scheduler } from '../ports';
import { type ServerClient, ServerError, ServerUnreachable } from '../server-client';
import type { CredentialVault } from './credentials';
import type { Settings } from './settings';

/** Refresh this long before the access token runs out, so a call never starts with a stale one. */
const REFRESH_MARGIN_MS = 60_000;

type Session = { user: PublicUser; accessToken: string | null; accessExpiresAtMs: number };

/**
 * Sign-up, sign-in, sign-out and the silent refresh: the refresh token rotates on every use and
 * lives in the vault; the access token lives in memory only. Every change is pushed to the renderer.
 */
export class AccountService {
  private session: Session | null = null;
  private refreshing: Promise<void> | null = null;
  private cancelTimer: (() => void) | null = null;
  private readonly listeners = new Set<(state: AccountState) => void>();

  constructor(
    private readonly deps: {
      client: ServerClient;
      vault: CredentialVault;
      settings: Settings;
      /** Named at sign-in so that signing this device out from another revokes its session. */
      deviceId: string;
      emit: EventSink;
      scheduler: Scheduler;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  state(): AccountState {
    return this.session ? { status: 'signed_in', user: this.session.user } : { status: 'signed_out' };
  }

  signedIn(): boolean {
    return this.session !== null;
  }

  /** Other services (entitlements, gate) follow sign-in and sign-out through this. */
  onChange(listener: (state: AccountState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const state = this.state();
    this.deps.emit('account.changed', state);
    for (const l of this.listeners) l(state);
  }

  /** At start: a stored refresh token signs the user back in; offline, the cached user stands in. */
  async start(): Promise<AccountState> {
    const token = await this.deps.vault.load();
    if (!token) {
      this.deps.settings.setCachedUser(null);
      return this.state();
    }
    try {
      await this.refresh();
    } catch (e) {
      if (!(e instanceof ServerUnreachable)) throw e;
      const user = this.deps.settings.cachedUser();
      if (user) {
        this.session = { user, accessToken: null, accessExpiresAtMs: 0 };
        this.changed();
      }
    }
    return this.state();
  }

  async signUp(credentials: Credentials): Promise<AccountState> {
    await this.adopt(
      await this.deps.client.call('register', { ...credentials, deviceId: this.deps.deviceId }),
    );
    return this.state();
  }

  async signIn(credentials: { email: string; password: string }): Promise<AccountState> {
    await this.adopt(await this.deps.client.call('login', { ...credentials, deviceId: this.deps.deviceId }));
    return this.state();
  }

  /**
   * Asks the server to mail a link that sets a new password. The server answers alike whether or
   * not the email has an account, so the app says the same either way.
   */
  async requestPasswordReset(email: string): Promise<{ sent: true }> {
    const request = PasswordResetRequest.safeParse({ email });
    if (!request.success) throw new BridgeFailure('validation_error', 'Enter a valid email address.');
    await this.deps.client.call('passwordReset', request.data);
    return { sent: true };
  }

  /** The devices holding a place on this account. */
  devices(): Promise<DevicesResponse> {
    return this.authed('devices', undefined);
  }

  /** Signs a device out from the account: its place is free and its session revoked on the server. */
  async signOutDevice(deviceId: string): Promise<DevicesResponse> {
    await this.authed('deviceSignOut', { deviceId });
    if (deviceId === this.deps.deviceId) {
      await this.signOut();
      return { devices: [], limit: 1 };
    }
    return this.devices();
  }

  async signOut(): Promise<AccountState> {
    const refreshToken = await this.deps.vault.load();
    const access = this.session?.accessToken;
    if (access) {
      // Best effort: revoking on the server fails offline, and signing out must still work then.
      await this.deps.client
        .call('logout', refreshToken ? { refreshToken } : {}, access)
        .catch((e: unknown) =>
          this.deps.logger.warn('logout not confirmed by the server', { error: String(e) }),
        );
    }
    await this.forget();
    return this.state();
  }

  private async forget(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.deps.vault.clear();
    this.deps.settings.setCachedUser(null);
    const was = this.session;
    this.session = null;
    if (was) this.changed();
  }

  private async adopt(auth: AuthResponse): Promise<void> {
    const wasSignedIn = this.session?.user.id === auth.user.id;
    const before = JSON.stringify(this.session?.user ?? null);
    await this.deps.vault.save(auth.refreshToken);
    this.deps.settings.setCachedUser(auth.user);
    this.session = {
      user: auth.user,
      accessToken: auth.accessToken,
      accessExpiresAtMs: Date.parse(auth.accessTokenExpiresAt),
    };
    this.scheduleRefresh();
    if (!wasSignedIn || before !== JSON.stringify(auth.user)) this.changed();
  }

  private scheduleRefresh(): void {
    this.cancelTimer?.();
    if (!this.session) return;
    const due = Math.max(5_000, this.session.accessExpiresAtMs - REFRESH_MARGIN_MS - this.deps.clock.nowMs());
    this.cancelTimer = this.deps.scheduler.after(due, () => {
      this.refresh().catch((e: unknown) =>
        this.deps.logger.warn('silent refresh failed', { error: String(e) }),
      );
    });
  }

  /** One refresh at a time: the token rotates, so two parallel refreshes would look like reuse. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const refreshToken = await this.deps.vault.load();
    if (!refreshToken) {
      await this.forget();
      throw new BridgeFailure('unauthorized', 'Please sign in.');
    }
    try {
      await this.adopt(await this.deps.client.call('refresh', { refreshToken }));
    } catch (e) {
      if (
        e instanceof ServerError &&
        (e.status === 401 || e.code === 'invalid_refresh_token' || e.code === 'refresh_token_reused')
      ) {
        this.deps.logger.warn('refresh token refused; signing out', { code: e.code });
        await this.forget();
        throw new BridgeFailure('unauthorized', 'Your session has ended. Please sign in again.');
      }
      throw e;
    }
  }

  /**
   * Calls an authenticated route: refreshes first when the access token is missing or about to
   * expire, and once more on a 401 (revoked or expired early), then gives up.
   */
  async authed<R extends RouteName>(route: R, body: RouteRequest<R>): Promise<RouteResponse<R>> {
    if (!this.session) throw new BridgeFailure('unauthorized', 'Please sign in.');
    if (!this.session.accessToken || this.session.accessExpiresAtMs - this.deps.clock.nowMs() < 30_000) {
      await this.refresh();
    }
    try {
      return await this.deps.client.call(route, body, this.currentAccess());
    } catch (e) {
      if (!(e instanceof ServerError) || e.status !== 401) throw e;
      await this.refresh();
      return this.deps.client.call(route, body, this.currentAccess());
    }
  }

  private currentAccess(): string {
    const token = this.session?.accessToken;
    if (!token) throw new BridgeFailure('unauthorized', 'Please sign in.');
    return token;
  }

  stop(): void {
    this.cancelTimer?.();
  }
}
