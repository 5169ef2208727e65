import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { AuthorizeResult, Grant } from '../../../contracts/bridge';
import { Usage, type UsageKind, usageCounterKey } from '../../../contracts/plan';
import { BridgeFailure } from '../bridge-failure';
import type { Clock, Dialogs, Files, Logger } from '../ports';
import { ServerError, ServerUnreachable } from '../server-client';
import type { AccountService } from './account';
import type { EntitlementVerifier } from './entitlement-verifier';
import type { EntitlementService } from './entitlements';
import type { OfflineLedger } from './offline-ledger';

/** How long a grant made offline stays usable, like the server's 15-minute grants. */
const OFFLINE_GRANT_MS = 15 * 60 * 1000;

type Issued =
  | { offline: false; kind: UsageKind; token: string; expiresAtMs: number }
  | { offline: true; kind: UsageKind; expiresAtMs: number };

type Refusal = Extract<AuthorizeResult, { ok: false }>;

/**
 * The gate: nothing is exported or mastered to disk without a grant. Online a grant comes from the
 * server (counted there once per idempotency key); offline, a valid token's allowance stands in and
 * the use is recorded for a later report. Grants are single use and checked again when the file is
 * written.
 */
export class Gate {
  private readonly issued = new Map<string, Issued>();
  private readonly spent = new Set<string>();

  constructor(
    private readonly deps: {
      account: AccountService;
      entitlements: EntitlementService;
      verifier: EntitlementVerifier;
      ledger: OfflineLedger;
      deviceId: string;
      dialogs: Dialogs;
      files: Files;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async authorize(kind: UsageKind): Promise<AuthorizeResult> {
    if (!this.deps.account.signedIn()) return refuse('signed_out', 'Sign in to export or master.');
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
        const counter = usage.success ? usage.data[usageCounterKey(kind)] : null;
        return refuse(
          e.code,
          e.message,
          counter && usage.success ? { ...counter, resetAt: usage.data.resetAt } : null,
        );
      }
      if (e instanceof BridgeFailure && e.code === 'unauthorized') return refuse('signed_out', e.message);
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
    return { ok: true, grant: grantOf(jti, kind, exp * 1000, false) };
  }

  private async authorizeOffline(kind: UsageKind): Promise<AuthorizeResult> {
    this.deps.entitlements.noteOffline();
    const current = await this.deps.entitlements.current();
    if (!current.ok) {
      this.deps.logger.warn('offline use refused', { reason: current.reason });
      return refuse(
        'offline_expired',
        'The server cannot be reached and this device has no valid offline pass. Connect to continue.',
      );
    }
    const { claims } = current;
    if (!claims.features.includes(kind))
      return refuse('upgrade_required', 'Exports and masters are for Pro subscribers.');
    const now = this.deps.verifier.now();
    if (now >= claims.offline.until * 1000)
      return refuse('offline_expired', 'The offline period has ended. Connect to continue.');
    const limit = claims.offline[usageCounterKey(kind)];
    const used = this.deps.ledger.countFor(kind, claims.iat);
    // Only the server can say more (the month may have turned, a use been refunded): "reconnect",
    // not "monthly quota reached", whose reset date the device cannot know offline.
    if (used >= limit)
      return refuse('offline_expired', 'The offline allowance is used up. Connect to continue.');
    this.deps.ledger.record(kind, this.deps.deviceId, claims.iat, now);
    const id = `offline_${randomUUID().replaceAll('-', '')}`;
    const expiresAtMs = Math.min(now + OFFLINE_GRANT_MS, claims.offline.until * 1000);
    this.issued.set(id, { offline: true, kind, expiresAtMs });
    this.deps.entitlements.noteOfflineUse();
    return { ok: true, grant: grantOf(id, kind, expiresAtMs, true) };
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

function refuse(reason: Refusal['reason'], message: string, usage: Refusal['usage'] = null): Refusal {
  return { ok: false, reason, message, usage };
}

function grantOf(id: string, kind: UsageKind, expiresAtMs: number, offline: boolean): Grant {
  return { id, kind, expiresAt: new Date(expiresAtMs).toISOString(), offline };
}

/** The renderer suggests a name, never a place: path parts and control characters are dropped. */
export function safeFileName(name: string): string {
  const base = path
    .basename(name.replaceAll('\\', '/'))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\x00-\x1f<>:"|?*]/g, '_')
    .trim();
  return base && base !== '.' && base !== '..' ? base : 'render.wav';
}
