import { z } from 'zod';
import { BillingMeResponse, type OfflineUsageResponse } from '../../../contracts/api';
import type { EntitlementState } from '../../../contracts/bridge';
import { PLAN_FEATURES, type Usage } from '../../../contracts/plan';
import type { EntitlementClaims } from '../../../contracts/tokens';
import type { EventSink, Logger, Scheduler } from '../ports';
import { ServerError, ServerUnreachable } from '../server-client';
import type { AccountService } from './account';
import type { TokenVerifier, VerifyRefusal } from './token-verifier';
import type { OfflineLedger } from './offline-ledger';
import type { Settings } from './settings';

export const ENTITLEMENT_REFRESH_MS = 60 * 60 * 1000;
const TOKEN_KEY = 'entitlements.token';
const BILLING_KEY = 'entitlements.billing';

const iso = (sec: number): string => new Date(sec * 1000).toISOString();

/** What the gate may rely on right now: the claims of a token that verifies at this moment. */
export type CurrentEntitlement =
  | { ok: true; claims: EntitlementClaims }
  | { ok: false; reason: VerifyRefusal | 'none' };

/**
 * The entitlement token: fetched after sign-in, after checkout, at start and every hour; verified
 * before it is believed; the last verified one kept in settings so the app knows its plan offline.
 */
export class EntitlementService {
  private claims: EntitlementClaims | null = null;
  private source: EntitlementState['source'] = 'none';
  private online = false;
  private usage: Usage | null = null;
  private refreshing: Promise<EntitlementState> | null = null;
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly deps: {
      account: AccountService;
      verifier: TokenVerifier;
      ledger: OfflineLedger;
      settings: Settings;
      deviceId: string;
      /** How the device list names this device (its host name). */
      deviceName?: string;
      emit: EventSink;
      scheduler: Scheduler;
      logger: Logger;
    },
  ) {
    deps.account.onChange((state) => {
      if (state.status === 'signed_out') this.forget();
      else void this.refreshLogged();
    });
  }

  /** Loads the cached token (offline truth), then asks the server, then every hour. */
  async start(): Promise<EntitlementState> {
    const cached = this.deps.settings.get(TOKEN_KEY, z.string().min(1));
    if (cached && this.deps.account.signedIn()) {
      const result = await this.deps.verifier.verify(cached);
      if (result.ok) {
        this.claims = result.claims;
        this.usage = usageOf(result.claims);
        this.source = 'cache';
      } else {
        this.deps.logger.warn('cached entitlement token refused', { reason: result.reason });
        this.deps.settings.delete(TOKEN_KEY);
      }
    }
    this.cancelTimer = this.deps.scheduler.every(ENTITLEMENT_REFRESH_MS, () => void this.refreshLogged());
    return this.refresh();
  }

  stop(): void {
    this.cancelTimer?.();
  }

  state(): EntitlementState {
    const c = this.claims;
    const billing = c ? this.deps.settings.get(BILLING_KEY, BillingMeResponse) : undefined;
    return {
      plan: c?.plan ?? 'free',
      features: c ? [...c.features] : [...PLAN_FEATURES.free],
      source: this.source,
      status: billing?.status ?? null,
      interval: billing?.interval ?? null,
      periodEnd: c?.periodEnd ? iso(c.periodEnd) : null,
      cancelAtPeriodEnd: billing?.cancelAtPeriodEnd ?? false,
      usage: this.usage,
      offline: c
        ? {
            until: iso(c.offline.until),
            exportsLeft: Math.max(0, c.offline.exports - this.deps.ledger.countFor('export', c.iat)),
            mastersLeft: Math.max(0, c.offline.masters - this.deps.ledger.countFor('master', c.iat)),
          }
        : null,
      online: this.online,
      attention: billing?.attention ?? null,
    };
  }

  private changed(): void {
    this.deps.emit('entitlements.changed', this.state());
  }

  /** The token's claims if it verifies now (signature, expiry against a clock that never goes back, device). */
  async current(): Promise<CurrentEntitlement> {
    const token = this.deps.settings.get(TOKEN_KEY, z.string().min(1));
    if (!token || !this.claims) return { ok: false, reason: 'none' };
    const result = await this.deps.verifier.verify(token);
    return result.ok ? result : { ok: false, reason: result.reason };
  }

  /** A grant or an offline report came back with fresh counts. */
  noteUsage(usage: Usage, online = true): void {
    this.usage = usage;
    this.online = online;
    this.changed();
  }

  noteOffline(): void {
    if (this.online) {
      this.online = false;
      this.changed();
    }
  }

  /** Another use was drawn on the offline allowance. */
  noteOfflineUse(): void {
    this.changed();
  }

  refresh(): Promise<EntitlementState> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** A refresh nobody awaits (sign-in, the hourly timer): a failure is logged, the last state stands. */
  private async refreshLogged(): Promise<void> {
    try {
      await this.refresh();
    } catch (e) {
      this.deps.logger.warn('background entitlement refresh failed', { error: String(e) });
    }
  }

  private async doRefresh(): Promise<EntitlementState> {
    if (!this.deps.account.signedIn()) {
      this.forget();
      return this.state();
    }
    try {
      // Reports first: the next token's allowance then already counts these uses.
      await this.reportOffline();
      const { token } = await this.deps.account.authed('entitlementToken', {
        deviceId: this.deps.deviceId,
        ...(this.deps.deviceName ? { deviceName: this.deps.deviceName } : {}),
      });
      const result = await this.deps.verifier.verify(token);
      this.online = true;
      if (!result.ok) {
        this.deps.logger.error('entitlement token from the server refused', { reason: result.reason });
      } else {
        this.claims = result.claims;
        this.source = 'server';
        this.usage = usageOf(result.claims);
        this.deps.settings.set(TOKEN_KEY, token);
        this.deps.ledger.prune(result.claims.iat);
        try {
          this.deps.settings.set(BILLING_KEY, await this.deps.account.authed('billingMe', undefined));
        } catch (e) {
          this.deps.logger.warn('billing details unavailable', { error: String(e) });
        }
      }
    } catch (e) {
      if (e instanceof ServerUnreachable) this.online = false;
      else if (e instanceof ServerError && e.code === 'device_limit') {
        // No place for this device: it holds no token, so nothing works offline on an old one.
        this.deps.logger.warn('this device has no place on the account', { error: e.message });
        this.forget();
      } else this.deps.logger.warn('entitlement refresh failed', { error: String(e) });
    }
    this.changed();
    return this.state();
  }

  /** Sends uses made offline; each id the server has answered for (either way) is not sent again. */
  async reportOffline(): Promise<OfflineUsageResponse | null> {
    const uses = this.deps.ledger.unreported().slice(0, 1000);
    if (uses.length === 0) return null;
    const answer = await this.deps.account.authed('usageOffline', { uses });
    for (const r of answer.refused) this.deps.logger.warn('offline use refused by the server', r);
    this.deps.ledger.markReported([...answer.accepted, ...answer.refused.map((r) => r.id)]);
    this.usage = answer.usage;
    return answer;
  }

  private forget(): void {
    const had = this.claims !== null || this.source !== 'none';
    this.claims = null;
    this.usage = null;
    this.source = 'none';
    this.deps.settings.delete(TOKEN_KEY);
    this.deps.settings.delete(BILLING_KEY);
    if (had) this.changed();
  }
}

function usageOf(c: EntitlementClaims): Usage {
  return {
    period: c.quota.period,
    exports: c.quota.exports,
    masters: c.quota.masters,
    resetAt: iso(c.quota.resetAt),
  };
}
