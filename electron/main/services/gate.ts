import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { Grant } from '../../../contracts/bridge';
import { type ExportFormat, fileExtension } from '../../../contracts/export';
import {
  type Feature,
  type RefusalReason,
  Usage,
  type UsageKind,
  usageCounterKey,
} from '../../../contracts/plan';
import { refusal } from '../../../contracts/refusal';
import { BridgeFailure, Refused } from '../bridge-failure';
import type { Clock, Dialogs, FileFilter, Files, Logger, PartialFile, Scheduler } from '../ports';
import { ServerError, ServerUnreachable } from '../server-client';
import type { AccountService } from './account';
import type { EntitlementService } from './entitlements';
import type { OfflineLedger } from './offline-ledger';
import type { Settings } from './settings';
import { safeFileName } from './safe-file-name';
import type { TokenVerifier } from './token-verifier';

/** How long a grant made offline stays usable, like the server's 15-minute grants. */
const OFFLINE_GRANT_MS = 15 * 60 * 1000;
/** A render held longer than this is taken for forgotten (a window gone): its unit is given back. */
export const MAX_HOLD_MS = 6 * 3600_000;
/** How soon a renewal or a commit the server did not answer is tried again. */
export const RETRY_MS = 30_000;
const PENDING_COMMITS = 'gate.pendingCommits';

type Issued =
  | {
      offline: false;
      kind: UsageKind;
      token: string;
      expiresAtMs: number;
      heldSinceMs: number;
      stopRenewal: () => void;
    }
  | { offline: true; kind: UsageKind; expiresAtMs: number; tokenIat: number };

/** Stems being written: the hidden folder they go into until all are there. */
type StemsUnderWay = {
  parent: string;
  partial: string;
  name: string;
  extension: string;
  written: string[];
  /** The stem whose pieces are coming (`more`), until its last one. */
  open: { file: string; partial: PartialFile } | null;
};
/** More stems than a session has tracks is not a stem export. */
const MAX_STEMS = 256;

/** The save dialog's filter for a render of this format (format names read the same in every language). */
export function renderFilter(format: ExportFormat): FileFilter {
  const ext = fileExtension(format);
  return { name: `${ext.toUpperCase()} (.${ext})`, extensions: [ext] };
}

/** The suggested name with the format's extension (an old or missing one replaced). */
export function withExtension(name: string, format: ExportFormat): string {
  const ext = fileExtension(format);
  const bare = name.replace(/\.(wav|wave|flac|mp3)$/i, '');
  return `${bare}.${ext}`;
}

/** A stem's file name: a safe name (no folders, no leading dot that would hide it) and the extension. */
export function stemFile(name: string, extension: string): string {
  const safe = safeFileName(name.replaceAll(/[\\/]/g, '_'), 'Track').replace(/^\.+/, '').slice(0, 200);
  return `${safe === '' ? 'Track' : safe}.${extension}`;
}

/**
 * The gate decides every gated action; a refusal is thrown as `Refused` and reaches the renderer as
 * data. Nothing is exported or mastered to disk without a grant, and only delivered work is counted:
 * online a grant is the server's reservation, renewed while the render goes on, committed once the
 * file is whole under its final name, and released on Cancel, a cancelled save dialog, a discarded
 * master, an error or quit. Offline, a valid token's allowance stands in and the ledger records the
 * files actually written, for a later report. Saving and opening projects need the feature in a
 * token that verifies; nothing is counted.
 */
export class Gate {
  private readonly issued = new Map<string, Issued>();
  private readonly spent = new Set<string>();
  private readonly stems = new Map<string, StemsUnderWay>();
  /** Renders being written piece by piece: where each goes, and its unfinished file. */
  private readonly streams = new Map<string, { target: string; file: PartialFile }>();

  constructor(
    private readonly deps: {
      account: AccountService;
      entitlements: EntitlementService;
      verifier: TokenVerifier;
      ledger: OfflineLedger;
      deviceId: string;
      dialogs: Dialogs;
      files: Files;
      settings: Settings;
      scheduler: Scheduler;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** A grant (a reservation) for one export or master, or `Refused`. */
  async authorize(kind: UsageKind): Promise<Grant> {
    if (!this.deps.account.signedIn()) throw refused('signed_out', kind, 'Sign in to export or master.');
    await this.flushCommits();
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
      if (
        e instanceof ServerError &&
        (e.code === 'upgrade_required' || e.code === 'quota_exceeded' || e.code === 'trial_exhausted')
      ) {
        const usage = Usage.safeParse((e.details as { usage?: unknown } | undefined)?.usage);
        if (usage.success) this.deps.entitlements.noteUsage(usage.data);
        const facts = usage.success
          ? { ...usage.data[usageCounterKey(kind)], resetAt: usage.data.resetAt }
          : {};
        throw refused(e.code, kind, e.message, facts);
      }
      if (e instanceof ServerError && e.code === 'device_limit') {
        const limit = (e.details as { limit?: unknown } | undefined)?.limit;
        throw refused('device_limit', kind, e.message, typeof limit === 'number' ? { limit } : {});
      }
      if (e instanceof BridgeFailure && e.code === 'unauthorized')
        throw refused('signed_out', kind, e.message);
      throw e;
    }
    const { jti, exp } = await this.verified(answer.grant, kind);
    this.issued.set(jti, {
      offline: false,
      kind,
      token: answer.grant,
      expiresAtMs: exp * 1000,
      heldSinceMs: this.deps.clock.nowMs(),
      stopRenewal: this.renewLater(jti, exp * 1000),
    });
    this.deps.entitlements.noteUsage(answer.usage);
    return grantOf(jti, kind, exp * 1000, false);
  }

  private async verified(grant: string, kind: UsageKind) {
    const verified = await this.deps.verifier.verifyGrant(grant, kind);
    if (!verified.ok) {
      this.deps.logger.error('grant from the server refused', { reason: verified.reason });
      throw new BridgeFailure('invalid_signature', 'The server sent a grant that does not verify.');
    }
    return verified.claims;
  }

  /** Renews a reservation half-way through its life, so that a long render keeps its unit. */
  private renewLater(grantId: string, expiresAtMs: number, delayMs?: number): () => void {
    const half = Math.max(1000, (expiresAtMs - this.deps.clock.nowMs()) / 2);
    return this.deps.scheduler.after(delayMs ?? half, () => void this.renew(grantId));
  }

  /** Extends a live reservation on the server (a render that outlives it), or gives it up. */
  async renew(grantId: string): Promise<void> {
    const grant = this.issued.get(grantId);
    if (!grant || grant.offline) return;
    if (this.deps.clock.nowMs() - grant.heldSinceMs > MAX_HOLD_MS) {
      this.deps.logger.warn('render held too long: its reservation is given back', { grant: grantId });
      await this.release(grantId);
      return;
    }
    try {
      const answer = await this.deps.account.authed('usageGrantRenew', { grant: grant.token });
      const { exp } = await this.verified(answer.grant, grant.kind);
      grant.token = answer.grant;
      grant.expiresAtMs = exp * 1000;
      grant.stopRenewal = this.renewLater(grantId, grant.expiresAtMs);
      this.deps.entitlements.noteUsage(answer.usage);
    } catch (e) {
      if (e instanceof ServerUnreachable) {
        grant.stopRenewal = this.renewLater(grantId, grant.expiresAtMs, RETRY_MS);
        return;
      }
      // Over on the server (committed, released, or lapsed with no room left): this render cannot
      // be saved on it; asking again gives a fresh answer.
      this.issued.delete(grantId);
      this.deps.logger.warn('reservation not renewed', { grant: grantId, error: String(e) });
    }
  }

  /**
   * Gives a reservation back: the render was cancelled, its save dialog cancelled, the master
   * discarded, or it failed. Nothing is counted. An offline grant just ends (nothing was recorded).
   */
  async release(grantId: string): Promise<{ released: boolean }> {
    await this.dropStems(grantId);
    await this.dropStream(grantId);
    const grant = this.issued.get(grantId);
    if (!grant) return { released: false };
    this.issued.delete(grantId);
    if (grant.offline) return { released: true };
    grant.stopRenewal();
    try {
      const { usage } = await this.deps.account.authed('usageGrantRelease', { grant: grant.token });
      this.deps.entitlements.noteUsage(usage);
    } catch (e) {
      // Unanswered, the reservation lapses on its own at the grant's expiry.
      this.deps.logger.warn('reservation not released; it will lapse', { grant: grantId, error: String(e) });
    }
    return { released: true };
  }

  /** The grants held now: renders under way, not yet saved, released or given up. */
  held(): Grant[] {
    return [...this.issued.entries()].map(([id, g]) => grantOf(id, g.kind, g.expiresAtMs, g.offline));
  }

  /** Quit: every reservation still held goes back. */
  async releaseAll(): Promise<void> {
    // With the files still being written, even of a reservation the server has already let go.
    const ids = new Set([...this.issued.keys(), ...this.stems.keys(), ...this.streams.keys()]);
    await Promise.all([...ids].map((id) => this.release(id)));
  }

  /** The file is whole under its final name: the reservation becomes use, now or once the server answers. */
  private async commit(token: string): Promise<void> {
    try {
      const { usage } = await this.deps.account.authed('usageGrantCommit', { grant: token });
      this.deps.entitlements.noteUsage(usage);
    } catch (e) {
      if (e instanceof ServerUnreachable || (e instanceof ServerError && e.status >= 500)) {
        this.pendingCommits([...this.pendingCommits(), token]);
        this.deps.scheduler.after(RETRY_MS, () => void this.flushCommits());
        return;
      }
      // The server will not count it (the reservation lapsed and its unit went to other work).
      this.deps.logger.warn('use not committed', { error: String(e) });
    }
  }

  private pendingCommits(next?: string[]): string[] {
    if (next) this.deps.settings.set(PENDING_COMMITS, next);
    return next ?? this.deps.settings.get(PENDING_COMMITS, z.array(z.string())) ?? [];
  }

  /** Commits the server did not answer, sent again (commit is idempotent on the server). */
  async flushCommits(): Promise<void> {
    const pending = this.pendingCommits();
    if (pending.length === 0) return;
    this.pendingCommits([]);
    for (const token of pending) await this.commit(token);
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
    // The token came from the server at its iat: offline since then, at the latest.
    const facts = {
      offlineUntil: isoOf(claims.offline.until * 1000),
      offlineSince: isoOf(claims.iat * 1000),
    };
    if (now >= claims.offline.until * 1000)
      throw refused('offline_expired', kind, 'The offline period has ended. Connect to continue.', facts);
    const limit = claims.offline[usageCounterKey(kind)];
    // Files written on this allowance, and the renders under way on it.
    const underWay = [...this.issued.values()].filter(
      (g) => g.offline && g.kind === kind && g.tokenIat === claims.iat,
    ).length;
    const used = this.deps.ledger.countFor(kind, claims.iat) + underWay;
    // Only the server can say more (the month may have turned, a use been refunded): "reconnect",
    // not "monthly quota reached", whose reset date the device cannot know offline.
    if (used >= limit)
      throw refused('offline_expired', kind, 'The offline allowance is used up. Connect to continue.', facts);
    const id = `offline_${randomUUID().replaceAll('-', '')}`;
    const expiresAtMs = Math.min(now + OFFLINE_GRANT_MS, claims.offline.until * 1000);
    this.issued.set(id, { offline: true, kind, expiresAtMs, tokenIat: claims.iat });
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

  /**
   * The save dialog for a render, with a grant checked before and after it (it may have lapsed while
   * the musician chose): the place, and the grant now spent. Cancelled, the reservation goes back.
   */
  private async askWhere(input: {
    grantId: string;
    suggestedName: string;
    kind?: UsageKind;
    format?: ExportFormat;
  }): Promise<{ target: string; grant: Issued }> {
    await this.check(input.grantId, input.kind);
    const format = input.format ?? 'wav24';
    const target = await this.deps.dialogs.save(
      withExtension(safeFileName(input.suggestedName), format),
      'render',
      renderFilter(format),
    );
    if (!target) {
      await this.release(input.grantId);
      throw new BridgeFailure('cancelled', 'Saving was cancelled: nothing was counted.');
    }
    const grant = await this.check(input.grantId, input.kind);
    this.spent.add(input.grantId);
    return { target, grant };
  }

  /**
   * Writes a render the user asked for, only with a valid, unused grant of the right kind, and
   * counts it once the file is whole under its final name. A cancelled dialog or a failed write
   * gives the reservation back: nothing is counted.
   */
  async saveRender(input: {
    grantId: string;
    data: Uint8Array;
    suggestedName: string;
    kind?: UsageKind;
    format?: ExportFormat;
  }): Promise<{ path: string }> {
    const { target, grant } = await this.askWhere(input);
    try {
      // Written beside the target and renamed into place (the files port): whole, or not there.
      await this.deps.files.write(target, input.data);
    } catch (e) {
      await this.release(input.grantId);
      throw notWritten(e);
    }
    await this.delivered(input.grantId, grant);
    this.deps.logger.info('render saved', { grant: input.grantId });
    return { path: target };
  }

  /**
   * A render written as it is encoded: the save dialog first (a cancelled one gives the reservation
   * back), then a hidden file beside the chosen place that `writeRender` fills and `finishRender`
   * puts in place and counts. Neither the renderer nor main ever holds the whole file.
   */
  async beginRender(input: {
    grantId: string;
    suggestedName: string;
    kind?: UsageKind;
    format?: ExportFormat;
  }): Promise<{ path: string }> {
    if (this.streams.has(input.grantId) || this.stems.has(input.grantId))
      throw new BridgeFailure('validation_error', 'This render is already being written.');
    const { target } = await this.askWhere(input);
    let file: PartialFile;
    try {
      file = await this.deps.files.begin(target);
    } catch (e) {
      await this.release(input.grantId);
      throw notWritten(e);
    }
    this.streams.set(input.grantId, { target, file });
    return { path: target };
  }

  /** One piece of the render, in order (or over a header already written); a failed write ends it, uncounted. */
  async writeRender(input: { grantId: string; data: Uint8Array; at?: number }): Promise<{ bytes: number }> {
    const stream = this.streams.get(input.grantId);
    if (!stream || !this.issued.has(input.grantId))
      throw new BridgeFailure('unauthorized', 'This render is not authorized: begin it with a grant first.');
    let bytes: number;
    try {
      bytes =
        input.at === undefined
          ? await stream.file.append(input.data)
          : await stream.file.writeAt(input.at, input.data);
    } catch (e) {
      // Bytes asked to be written past the end: refused before anything is written, the render goes on.
      if (e instanceof RangeError && input.at !== undefined)
        throw new BridgeFailure('validation_error', e.message);
      await this.release(input.grantId);
      throw notWritten(e);
    }
    return { bytes };
  }

  /** The last piece is in: the file takes its name and the render is counted, once. */
  async finishRender(grantId: string): Promise<{ path: string }> {
    const stream = this.streams.get(grantId);
    const grant = this.issued.get(grantId);
    if (!stream || !grant)
      throw new BridgeFailure('unauthorized', 'This render is not authorized: begin it with a grant first.');
    // Taken off first: a second finish (or a late piece) sent meanwhile is refused, never counted twice.
    this.streams.delete(grantId);
    try {
      await stream.file.commit();
    } catch (e) {
      await stream.file.discard().catch(() => {});
      await this.release(grantId);
      throw notWritten(e);
    }
    await this.delivered(grantId, grant);
    this.deps.logger.info('render saved', { grant: grantId, streamed: true });
    return { path: stream.target };
  }

  /** A render given up: its unfinished file goes. */
  private async dropStream(grantId: string): Promise<void> {
    const stream = this.streams.get(grantId);
    if (!stream) return;
    this.streams.delete(grantId);
    await stream.file.discard().catch((e) => {
      this.deps.logger.warn('unfinished render not removed', { error: String(e) });
    });
  }

  /** The work is on disk under its final name: the grant becomes use (online) or a ledger entry. */
  private async delivered(grantId: string, grant: Issued): Promise<void> {
    this.issued.delete(grantId);
    if (grant.offline) {
      this.deps.ledger.record(grant.kind, this.deps.deviceId, grant.tokenIat, this.deps.verifier.now());
      this.deps.entitlements.noteOfflineUse();
    } else {
      grant.stopRenewal();
      await this.commit(grant.token);
    }
  }

  /**
   * Stems, one export: the place is asked for once, and the files go into a hidden folder beside
   * the musician's choice until the last is written; `finishStems` names it and counts the export.
   */
  async beginStems(input: { grantId: string; folderName: string; format: ExportFormat }): Promise<{
    folder: string;
  }> {
    if (this.stems.has(input.grantId) || this.streams.has(input.grantId))
      throw new BridgeFailure('validation_error', 'These stems are already being written.');
    await this.check(input.grantId, 'export');
    const name =
      safeFileName(input.folderName.replaceAll(/[\\/]/g, '_'), 'Stems').replace(/^\.+/, '') || 'Stems';
    const parent = await this.deps.dialogs.folder(name);
    if (!parent) {
      await this.release(input.grantId);
      throw new BridgeFailure('cancelled', 'Saving was cancelled: nothing was counted.');
    }
    await this.check(input.grantId, 'export');
    this.spent.add(input.grantId);
    const partial = path.join(parent, `.${name}.${randomUUID().slice(0, 8)}.part`);
    const underWay: StemsUnderWay = {
      parent,
      partial,
      name,
      extension: fileExtension(input.format),
      written: [],
      open: null,
    };
    this.stems.set(input.grantId, underWay);
    try {
      await this.deps.files.makeFolder(partial);
    } catch (e) {
      await this.release(input.grantId);
      throw notWritten(e);
    }
    return { folder: path.join(parent, name) };
  }

  /**
   * A stem's file into the stems' folder, whole or piece by piece: with `more`, pieces of the same
   * stem follow (each added in order, or with `at` written over bytes already there: the header
   * completed at the end), and the piece without `more` ends it. A failed write ends the export,
   * uncounted; a piece that does not fit (another stem while one is open, `at` past the end) is
   * refused and changes nothing.
   */
  async writeStem(input: {
    grantId: string;
    name: string;
    data: Uint8Array;
    at?: number;
    more?: boolean;
  }): Promise<{ file: string }> {
    const underWay = this.stems.get(input.grantId);
    if (!underWay || !this.issued.has(input.grantId))
      throw new BridgeFailure(
        'unauthorized',
        'These stems are not authorized: begin them with a grant first.',
      );
    const file = stemFile(input.name, underWay.extension);
    const open = underWay.open;
    if (open && open.file !== file)
      throw new BridgeFailure('validation_error', `${open.file} is still being written: finish it first.`);
    if (!open) {
      if (underWay.written.includes(file))
        throw new BridgeFailure('validation_error', `A stem named ${file} is already written.`);
      if (underWay.written.length >= MAX_STEMS)
        throw new BridgeFailure('validation_error', `At most ${MAX_STEMS} stems are written at once.`);
      if (input.at !== undefined)
        throw new BridgeFailure('validation_error', `Nothing of ${file} is written yet to write over.`);
    }
    try {
      if (!open && !input.more) {
        await this.deps.files.write(path.join(underWay.partial, file), input.data);
      } else {
        const current = open ?? {
          file,
          partial: await this.deps.files.begin(path.join(underWay.partial, file)),
        };
        underWay.open = current;
        if (input.at === undefined) await current.partial.append(input.data);
        else await current.partial.writeAt(input.at, input.data);
        if (input.more) return { file };
        await current.partial.commit();
        underWay.open = null;
      }
    } catch (e) {
      if (e instanceof RangeError && input.at !== undefined)
        throw new BridgeFailure('validation_error', e.message);
      await this.release(input.grantId);
      throw notWritten(e);
    }
    underWay.written.push(file);
    return { file };
  }

  /** Every stem written: the folder takes its name (a free one) and the export is counted, once. */
  async finishStems(grantId: string): Promise<{ path: string; files: string[] }> {
    const underWay = this.stems.get(grantId);
    const grant = this.issued.get(grantId);
    if (!underWay || !grant)
      throw new BridgeFailure(
        'unauthorized',
        'These stems are not authorized: begin them with a grant first.',
      );
    if (underWay.written.length === 0)
      throw new BridgeFailure('validation_error', 'No stem was written: there is nothing to save.');
    if (underWay.open)
      throw new BridgeFailure('validation_error', `${underWay.open.file} is still being written.`);
    let target: string;
    try {
      const taken = new Set(await this.deps.files.list(underWay.parent));
      let name = underWay.name;
      for (let n = 2; taken.has(name); n++) name = `${underWay.name} ${n}`;
      target = path.join(underWay.parent, name);
      await this.deps.files.renameFolder(underWay.partial, target);
    } catch (e) {
      await this.release(grantId);
      throw notWritten(e);
    }
    this.stems.delete(grantId);
    await this.delivered(grantId, grant);
    this.deps.logger.info('stems saved', { grant: grantId, files: underWay.written.length });
    return { path: target, files: [...underWay.written] };
  }

  /** Stems given up: their unfinished folder goes. */
  private async dropStems(grantId: string): Promise<void> {
    const underWay = this.stems.get(grantId);
    if (!underWay) return;
    this.stems.delete(grantId);
    await underWay.open?.partial.discard().catch(() => {});
    await this.deps.files.removeFolder(underWay.partial).catch((e) => {
      this.deps.logger.warn('unfinished stems folder not removed', { error: String(e) });
    });
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

/** A render's write that failed, in words: a full disk or a place one may not write to is said as such. */
function notWritten(e: unknown): unknown {
  if (e instanceof BridgeFailure) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new BridgeFailure('internal', 'The disk is full: the file was not saved. Nothing was counted.');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new BridgeFailure(
      'internal',
      'This place cannot be written to: the file was not saved. Nothing was counted.',
    );
  return e;
}

function grantOf(id: string, kind: UsageKind, expiresAtMs: number, offline: boolean): Grant {
  return { id, kind, expiresAt: isoOf(expiresAtMs), offline };
}
