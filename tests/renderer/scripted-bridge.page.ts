// Runs in the page before the renderer (addInitScript): a `window.siberia` built with the same
// buildBridge as the preload, answering from a scripted state. Every input and every answer is
// parsed with the contract's schemas, so the renderer only ever sees contract-valid values.
// First: the page's CSP forbids eval, as the app's does, and schemas decide at construction.
import '../../renderer/csp';
import {
  type AccountState,
  type BridgeEventName,
  type BridgeMethodName,
  bridgeEvents,
  bridgeMethods,
  buildBridge,
  type CheckoutStatus,
  type EntitlementState,
} from '../../contracts/bridge';
import { fileExtension } from '../../contracts/formats';
import type { Feature } from '../../contracts/plan';
import { type Refusal, refusal } from '../../contracts/refusal';
import type { ScriptedState } from './scripted-bridge';

type Page = typeof globalThis & {
  __scriptedState: ScriptedState;
  __scripted: {
    state: ScriptedState;
    calls: { name: string; input: unknown }[];
    emit(event: BridgeEventName, payload: unknown): void;
  };
  siberia?: unknown;
};
const w = globalThis as Page;
const state = w.__scriptedState;
const calls: { name: string; input: unknown }[] = [];
const listeners = new Map<string, Set<(payload: unknown) => void>>();

function emit(event: BridgeEventName, payload: unknown): void {
  const parsed = bridgeEvents[event].parse(payload);
  for (const listener of listeners.get(event) ?? []) listener(parsed);
}

const ok = (value: unknown) => ({ ok: true, value });
const fail = (code: string, message: string) => ({ ok: false, error: { code, message } });
const refused = (r: Refusal) => ({ ok: false, error: { code: 'refused', message: r.reason, refusal: r } });
const now = () => new Date().toISOString();

function setAccount(account: AccountState): AccountState {
  state.account = account;
  emit('account.changed', account);
  return account;
}
function setCheckout(checkout: CheckoutStatus): CheckoutStatus {
  state.checkout = checkout;
  emit('checkout.changed', checkout);
  return checkout;
}
function user(email: string) {
  return { id: 'usr_scripted', email, plan: state.entitlements.plan, createdAt: '2026-01-05T10:00:00.000Z' };
}

/**
 * Main's rule for every gated action, as main answers it: a scripted refusal, else signed out, else
 * a plan without the feature, else offline past the pass.
 */
function gate(feature: Feature): Refusal | null {
  const scripted = state.refusals[feature];
  if (scripted) return scripted;
  if (state.account.status !== 'signed_in') return refusal('signed_out', feature);
  const e: EntitlementState = state.entitlements;
  if (!e.features.includes(feature)) return refusal('upgrade_required', feature);
  if (!e.online && e.offline && Date.parse(e.offline.until) <= Date.now())
    return refusal('offline_expired', feature, { offlineUntil: e.offline.until });
  return null;
}

// Inputs were parsed by the contract before they get here; each case reads the fields it knows.
// biome-ignore lint/suspicious/noExplicitAny: parsed by the method's own schema just before
type Input = { [key: string]: any };
function answer(name: BridgeMethodName, input: Input): unknown {
  switch (name) {
    case 'app.getInfo':
      return ok(state.info);
    case 'app.setLocale':
      state.info = { ...state.info, locale: input.locale };
      return ok(state.info);
    case 'account.getState':
      return ok(state.account);
    case 'account.signIn':
      if (input.email !== state.credentials.email || input.password !== state.credentials.password)
        return fail('invalid_credentials', 'Wrong email or password.');
      return ok(setAccount({ status: 'signed_in', user: user(input.email) }));
    case 'account.signUp':
      if (input.email === state.credentials.email)
        return fail('email_taken', 'An account with this email already exists.');
      return ok(setAccount({ status: 'signed_in', user: user(input.email) }));
    case 'account.signOut':
      return ok(setAccount({ status: 'signed_out' }));
    case 'billing.getPlans':
      return state.plansError
        ? fail('server_unreachable', 'The server cannot be reached.')
        : ok({ prices: state.prices, quotas: { exportsPerMonth: 500, mastersPerMonth: 200 } });
    case 'billing.startCheckout':
      if (state.account.status !== 'signed_in') return fail('unauthorized', 'Sign in first.');
      return ok(setCheckout({ phase: 'pending', priceId: input.priceId, startedAt: now() }));
    case 'billing.reopenCheckout':
      return ok(state.checkout);
    case 'billing.cancelCheckout':
      return ok(setCheckout({ ...state.checkout, phase: 'cancelled' }));
    case 'billing.getCheckout':
      return ok(state.checkout);
    case 'billing.openPortal':
      return ok({ opened: true });
    case 'account.requestPasswordReset':
      return ok({ sent: true });
    case 'billing.listInvoices': {
      if (state.account.status !== 'signed_in') return fail('unauthorized', 'Sign in first.');
      const from = input.after ? state.invoices.findIndex((i) => i.id === input.after) + 1 : 0;
      const page = state.invoices.slice(from, from + 2);
      const more = from + 2 < state.invoices.length;
      return ok({ invoices: page, nextCursor: more ? (page.at(-1)?.id ?? null) : null });
    }
    case 'billing.openInvoice':
      return state.invoices.some((i) => i.id === input.id)
        ? ok({ opened: true })
        : fail('not_found', 'That invoice is not in the list; open the list again.');
    case 'billing.confirmPayment':
      return state.entitlements.attention?.kind === 'action_required'
        ? ok({ opened: true })
        : fail('not_found', 'No payment is waiting for confirmation.');
    case 'entitlements.get':
    case 'entitlements.refresh':
      return ok(state.entitlements);
    case 'gate.authorize': {
      const refusal = gate(input.kind);
      if (refusal) return refused(refusal);
      return ok({
        id: `grant-${input.kind}-${calls.length}`,
        kind: input.kind,
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
        offline: false,
      });
    }
    case 'gate.release':
      streams.delete(input.grantId);
      return ok({ released: true });
    case 'gate.beginRender':
      streams.set(input.grantId, { name: input.suggestedName, pieces: [], length: 0 });
      return ok({ path: `/home/musician/Music/${input.suggestedName}` });
    case 'gate.writeRender': {
      const stream = streams.get(input.grantId);
      if (!stream) return fail('unauthorized', 'Begin the render first.');
      return writePiece(stream, input.data, input.at) ?? ok({ bytes: stream.length });
    }
    case 'gate.finishRender': {
      const stream = streams.get(input.grantId);
      if (!stream) return fail('unauthorized', 'Begin the render first.');
      streams.delete(input.grantId);
      if (!state.keepRenders) state.saved.push({ name: stream.name, bytes: stream.length });
      else {
        const whole = joined(stream.pieces);
        state.saved.push({ name: stream.name, bytes: whole.length, base64: toBase64(whole) });
      }
      return ok({ path: `/home/musician/Music/${stream.name}` });
    }
    case 'gate.saveRender':
      state.saved.push(
        state.keepRenders
          ? { name: input.suggestedName, bytes: input.data.length, base64: toBase64(input.data) }
          : { name: input.suggestedName, bytes: input.data.length },
      );
      return ok({ path: `/home/musician/Music/${input.suggestedName}` });
    // Stems: one folder per grant, each file listed as it is written (and kept in `saved`).
    case 'gate.beginStems': {
      const folder = `/home/musician/Music/${input.folderName}`;
      stemFolders.set(input.grantId, { folder, extension: fileExtension(input.format), files: [] });
      return ok({ folder });
    }
    case 'gate.writeStem': {
      const open = stemFolders.get(input.grantId);
      if (!open) return fail('not_found', 'No stems folder is open for this export.');
      const file = `${input.name}.${open.extension}`;
      // A stem comes a piece at a time (`more`), as main takes it; the last piece ends it.
      const key = `${input.grantId}/${file}`;
      if (!streams.has(key)) streams.set(key, { name: file, pieces: [], length: 0 });
      const stem = streams.get(key) as Stream;
      const wrote = writePiece(stem, input.data, input.at);
      if (wrote) return wrote;
      if (input.more) return ok({ file });
      streams.delete(key);
      open.files.push(file);
      const whole = joined(stem.pieces);
      state.saved.push(
        state.keepRenders
          ? { name: file, bytes: whole.length, base64: toBase64(whole) }
          : { name: file, bytes: stem.length },
      );
      return ok({ file });
    }
    case 'gate.finishStems': {
      const open = stemFolders.get(input.grantId);
      if (!open) return fail('not_found', 'No stems folder is open for this export.');
      stemFolders.delete(input.grantId);
      return ok({ path: open.folder, files: open.files });
    }
    case 'project.save': {
      const refusal = gate('project_save');
      return refusal ? refused(refusal) : ok({ path: '/home/musician/Music/song/song.siberia', missing: [] });
    }
    case 'project.open': {
      const refusal = gate('project_save');
      if (refusal) return refused(refusal);
      return state.openProject
        ? ok({
            path: '/home/musician/Music/song/song.siberia',
            project: state.openProject,
            // As main answers: the tracks it has no audio for (here: those it does not keep).
            missing: state.openProject.tracks.map((t) => t.id).filter((id) => !keptAudio.has(id)),
          })
        : fail('cancelled', 'No file chosen.');
    }
    case 'project.autosave':
      state.autosaved = input.project;
      return ok({ savedAt: now() });
    case 'project.restoreAutosave':
      return ok(state.restore);
    case 'project.keepAudio':
      keptAudio.set(input.trackId, input.data);
      return ok({ kept: true });
    case 'project.recallAudio': {
      const data = keptAudio.get(input.trackId);
      return ok(data ? { trackId: input.trackId, data } : null);
    }
    case 'project.loadAudio': {
      const data = keptAudio.get(input.trackId);
      return data
        ? ok({ trackId: input.trackId, name: `${input.trackId}.wav`, data })
        : fail('not_found', 'This track’s audio has not been found yet: locate it.');
    }
    case 'project.locateAudio':
      return fail('cancelled', 'Locating was cancelled.');
  }
}

/** The stems folders being written, by grant. */
const stemFolders = new Map<string, { folder: string; extension: string; files: string[] }>();

/** What main would keep beside the autosave, by track id. */
const keptAudio = new Map<string, Uint8Array<ArrayBuffer>>();
/** Renders (by grant) and stems (by grant/file) written piece by piece, until whole or released. */
type Stream = { name: string; pieces: Uint8Array[]; length: number };
const streams = new Map<string, Stream>();
/**
 * A piece added, or (with `at`) written over bytes already there, as main's file port does; a
 * refusal, or null. With `keepRenders` off, only counted: the page holds no more than the app would.
 */
function writePiece(stream: Stream, data: Uint8Array, at: number | undefined) {
  if (at !== undefined && at + data.length > stream.length) return fail('validation_error', 'past the end');
  if (at === undefined) stream.length += data.length;
  if (!state.keepRenders) return null;
  if (at === undefined) {
    stream.pieces.push(data.slice());
    return null;
  }
  const whole = joined(stream.pieces);
  whole.set(data, at);
  stream.pieces = [whole];
  return null;
}
function joined(pieces: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of pieces) {
    whole.set(p, o);
    o += p.length;
  }
  return whole;
}

w.__scripted = { state, calls, emit };
w.siberia = buildBridge(
  async (name, rawInput) => {
    const input = bridgeMethods[name].input.parse(rawInput);
    calls.push({
      name,
      input:
        name === 'gate.saveRender' ||
        name === 'gate.writeRender' ||
        name === 'gate.writeStem' ||
        name === 'project.keepAudio'
          ? {
              ...(input as object),
              data: '<bytes>',
              // What IPC would carry: a view's whole buffer (the page should send no larger one).
              ...(name === 'gate.writeRender' || name === 'gate.writeStem'
                ? { carried: (input as { data: Uint8Array }).data.buffer.byteLength }
                : {}),
            }
          : input,
    });
    if ((name === 'gate.writeRender' || name === 'gate.writeStem') && state.writeDelayMs)
      await new Promise((resolve) => setTimeout(resolve, state.writeDelayMs));
    return bridgeMethods[name].output.parse(answer(name, input as Input));
  },
  (event, listener) => {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  },
);

/** The saved file's bytes, for tests that check the render sample by sample. */
function toBase64(data: Uint8Array): string {
  let text = '';
  for (let i = 0; i < data.length; i += 0x8000)
    text += String.fromCharCode(...data.subarray(i, Math.min(data.length, i + 0x8000)));
  return btoa(text);
}
