import { randomUUID } from 'node:crypto';
import type { Grant } from '../../../contracts/bridge';
import {
  type Feature,
  type RefusalReason,
  Usage,
  type UsageKind,
  usageCounterKey,
} from '../../../contracts/plan';
import { refusal } from '../../../contracts/refusal';
import { BridgeFailure, Refused } from '../bridge-failure';
import type { Clock, Dialogs, Files, Logger } from '../ports';
import { ServerError, ServerUnreachable } from '../server-client';
import type { AccountService } from './account';
import type { EntitlementService } from './entitlements';
import type { OfflineLedger } from './offline-ledger';
import { safeFileName } from './safe-file-name';
import type { TokenVerifier } from './token-verifier';

/** How long a grant made offline stays usable, like the server's 15-minute grants. */
const OFFLINE_GRANT_MS = 15 * 60 * 1000;

type Issued =
  | { offline: false; kind: UsageKind; token: string; expiresAtMs: number }
  | { offline: true; kind: UsageKind; expiresAtMs: number };

/**
 * The gate decides every gated action; a refusal is thrown as `Refused` and reaches the renderer as
 * data. Nothing is exported or mastered to disk without a grant. Online a grant comes from the
 * server (counted there once per idempotency key); offline, a valid token's allowance stands in and
 * the use is recorded for a later report. Grants are single use and checked again when the file is
 * written. Saving and opening projects need the feature in a token that verifies; nothing is counted.
 */
export class Gate {
  private readonly issued = new Map<string, Issued>();
  private readonly spent = new Set<string>();

  constructor(
    private readonly deps: {
      account: AccountService;
      entitlements: EntitlementService;
      verifier: TokenVerifier;
      ledger: OfflineLedger;
      deviceId: string;
      dialogs: Dialogs;
      files: Files;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** A grant for one export or master, or `Refused`. */
  async authorize(kind: UsageKind): Promise<Grant> {
    if (!this.deps.account.signedIn()) throw refused('signed_out', kind, 'Sign in to export or master.');
    const idempotencyKey = `use_${randomUUID().replaceAll('-', '')}`;
    let answer: { grant: string; usage: Usage };
    try {
      answer = await this.deps.account.authed('usageGrant', {
        kind,
        idempotencyKey,
        deviceId: this.deps.deviceId,
      });
    } catch (e) {
      if (e instanceof ServerUnreachable) return this.authorizeOffline(kind);
      if (e instanceof ServerError && (e.code === 'upgrade_required' || e.code === 'quota_exceeded')) {
        const usage = Usage.safeParse((e.details as { usage?: unknown } | undefined)?.usage);
        if (usage.success) this.deps.entitlements.noteUsage(usage.data);
        const facts = usage.success
          ? { ...usage.data[usageCounterKey(kind)], resetAt: usage.data.resetAt }
          : {};
        throw refused(e.code, kind, e.message, facts);
      }
      if (e instanceof BridgeFailure && e.code === 'unauthorized')
        throw refused('signed_out', kind, e.message);
      throw e;
    }
    const verified = await this.deps.verifier.verifyGrant(answer.grant, kind);
    if (!verified.ok) {
      this.deps.logger.error('grant from the server refused', { reason: verified.reason });
      throw new BridgeFailure('invalid_signature', 'The server sent a grant that does not verify.');
    }
    const { jti, exp } = verified.claims;
    this.issued.set(jti, { offline: false, kind, token: answer.grant, expiresAtMs: exp * 1000 });
    this.deps.entitlements.noteUsage(answer.usage);
    return grantOf(jti, kind, exp * 1000, false);
  }

  private async authorizeOffline(kind: UsageKind): Promise<Grant> {
    this.deps.entitlements.noteOffline();
    const current = await this.deps.entitlements.current();
    if (!current.ok) {
      this.deps.logger.warn('offline use refused', { reason: current.reason });
      throw refused(
        'offline_expired',
        kind,
        'The server cannot be reached and this device has no valid offline pass. Connect to continue.',
      );
    }
    const { claims } = current;
    if (!claims.features.includes(kind))
      throw refused('upgrade_required', kind, 'Exports and masters are for Pro subscribers.');
    const now = this.deps.verifier.now();
    const offlineUntil = isoOf(claims.offline.until * 1000);
    if (now >= claims.offline.until * 1000)
      throw refused('offline_expired', kind, 'The offline period has ended. Connect to continue.', {
        offlineUntil,
      });
    const limit = claims.offline[usageCounterKey(kind)];
    const used = this.deps.ledger.countFor(kind, claims.iat);
    // Only the server can say more (the month may have turned, a use been refunded): "reconnect",
    // not "monthly quota reached", whose reset date the device cannot know offline.
    if (used >= limit)
      throw refused('offline_expired', kind, 'The offline allowance is used up. Connect to continue.', {
        offlineUntil,
      });
    this.deps.ledger.record(kind, this.deps.deviceId, claims.iat, now);
    const id = `offline_${randomUUID().replaceAll('-', '')}`;
    const expiresAtMs = Math.min(now + OFFLINE_GRANT_MS, claims.offline.until * 1000);
    this.issued.set(id, { offline: true, kind, expiresAtMs });
    this.deps.entitlements.noteOfflineUse();
    return grantOf(id, kind, expiresAtMs, true);
  }

  /**
   * Saving or opening a project: signed in, and a token that verifies now with the feature. Offline
   * past the pass's end, or with a token that expired there, a Pro user is asked to reconnect.
   */
  async requireFeature(feature: Feature): Promise<void> {
    if (!this.deps.account.signedIn())
      throw refused('signed_out', feature, 'Sign in to save and open projects.');
    const current = await this.deps.entitlements.current();
    const believed = this.deps.entitlements.state();
    const offlineUntil = believed.offline?.until ?? null;
    if (current.ok && current.claims.features.includes(feature)) {
      const passOver = this.deps.verifier.now() >= current.claims.offline.until * 1000;
      if (believed.online || !passOver) return;
      throw refused('offline_expired', feature, 'The offline period has ended. Connect to continue.', {
        offlineUntil,
      });
    }
    if (!current.ok && current.reason === 'expired' && believed.features.includes(feature))
      throw refused('offline_expired', feature, 'Your pass has expired. Connect to continue.', {
        offlineUntil,
      });
    throw refused(
      'upgrade_required',
      feature,
      'Saving and opening projects are Pro features. Your work is autosaved.',
    );
  }

  /** Checks a grant without spending it: known, unused, of the kind asked, and (online) still verifying. */
  private async check(grantId: string, kind: UsageKind | undefined): Promise<Issued> {
    const grant = this.issued.get(grantId);
    if (!grant || this.spent.has(grantId))
      throw new BridgeFailure(
        'unauthorized',
        'This render is not authorized: the grant is unknown or already used.',
      );
    const expected = kind ?? grant.kind;
    if (grant.kind !== expected)
      throw new BridgeFailure('unauthorized', `This grant is for ${grant.kind}, not ${expected}.`);
    if (grant.offline) {
      if (this.deps.verifier.now() >= grant.expiresAtMs)
        throw new BridgeFailure('unauthorized', 'This grant has expired; ask again.');
      return grant;
    }
    const verified = await this.deps.verifier.verifyGrant(grant.token, expected);
    if (!verified.ok || verified.claims.jti !== grantId) {
      const reason = verified.ok ? 'wrong id' : verified.reason;
      throw new BridgeFailure('unauthorized', `This grant is not valid (${reason}); ask again.`);
    }
    return grant;
  }

  /** Writes a render the user asked for: only with a valid, unused grant of the right kind. */
  async saveRender(input: {
    grantId: string;
    data: Uint8Array;
    suggestedName: string;
    kind?: UsageKind;
  }): Promise<{ path: string }> {
    await this.check(input.grantId, input.kind);
    const target = await this.deps.dialogs.save(safeFileName(input.suggestedName), 'render');
    // Cancelling keeps the grant: the user may pick another place.
    if (!target) throw new BridgeFailure('cancelled', 'Saving was cancelled.');
    await this.check(input.grantId, input.kind);
    this.spent.add(input.grantId);
    this.issued.delete(input.grantId);
    await this.deps.files.write(target, input.data);
    this.deps.logger.info('render saved', { grant: input.grantId });
    return { path: target };
  }
}

function refused(
  reason: RefusalReason,
  feature: Feature,
  message: string,
  facts?: Parameters<typeof refusal>[2],
): Refused {
  return new Refused(refusal(reason, feature, facts), message);
}

const isoOf = (ms: number): string => new Date(ms).toISOString();

function grantOf(id: string, kind: UsageKind, expiresAtMs: number, offline: boolean): Grant {
  return { id, kind, expiresAt: isoOf(expiresAtMs), offline };
}
