import { z } from 'zod';
import { DeviceId } from './tokens';
import { Credentials, DevicesResponse, InvoicesResponse, PlanPrice, PlansResponse, PublicUser } from './api';
import { ErrorCode } from './errors';
import { ExportFormat } from './export';
import {
  BillingAttention,
  BillingInterval,
  Feature,
  Plan,
  SubscriptionStatus,
  UsageCounter as Counter,
  UsageKind,
} from './plan';
import { ProjectFile } from './project';
import { Refusal } from './refusal';
import { type BridgeNames, bridgeFromNames } from './bridge-shape';

/**
 * The bridge API the preload exposes to the renderer as `window.siberia`, and the events main
 * pushes to it. One table: the preload, main's IPC registration and the test host all derive from
 * it, so a channel cannot be spelled two ways.
 */

export const Locale = z.enum(['en', 'fr']);
export type Locale = z.infer<typeof Locale>;

/**
 * Every call answers a result; errors cross IPC as data, never as thrown exceptions. A gated call
 * (export, master, project save and open) that main refuses fails with `refused` and the refusal.
 */
export const BridgeError = z.union([
  z.object({ code: z.union([ErrorCode, z.literal('cancelled')]), message: z.string() }),
  z.object({ code: z.literal('refused'), message: z.string(), refusal: Refusal }),
]);
export type BridgeError = z.infer<typeof BridgeError>;
function result<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: BridgeError }),
  ]);
}

export const AppInfo = z.object({
  version: z.string(),
  platform: z.string(),
  serverUrl: z.string(),
  locale: Locale,
  deviceId: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const AccountState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed_out') }),
  z.object({ status: z.literal('signed_in'), user: PublicUser }),
]);
export type AccountState = z.infer<typeof AccountState>;

/** A counter as the musician reads it: use against the limit. */
const ShownCounter = Counter.pick({ used: true, limit: true });

/** What main believes, after verifying the entitlement token. */
export const EntitlementState = z.object({
  plan: Plan,
  features: z.array(Feature),
  /** Where the belief comes from: a token verified now, a cached verified token, or nothing. */
  source: z.enum(['server', 'cache', 'none']),
  status: SubscriptionStatus.nullable(),
  interval: BillingInterval.nullable(),
  periodEnd: z.iso.datetime().nullable(),
  cancelAtPeriodEnd: z.boolean(),
  /** Use against limits, as the musician reads it (reservations under way are main's business). */
  usage: z
    .object({ period: z.string(), exports: ShownCounter, masters: ShownCounter, resetAt: z.iso.datetime() })
    .nullable(),
  offline: z
    .object({ until: z.iso.datetime(), exportsLeft: z.number().int(), mastersLeft: z.number().int() })
    .nullable(),
  /** Whether the server answered the last time main asked. */
  online: z.boolean(),
  /** What the musician must do about billing (update the card, confirm a payment), or null. */
  attention: BillingAttention.nullable(),
});
export type EntitlementState = z.infer<typeof EntitlementState>;

export const CheckoutPhase = z.enum(['idle', 'pending', 'success', 'cancelled', 'unconfirmed', 'expired']);
export const CheckoutStatus = z.object({
  phase: CheckoutPhase,
  priceId: z.string().nullable(),
  startedAt: z.iso.datetime().nullable(),
});
export type CheckoutStatus = z.infer<typeof CheckoutStatus>;

export const Grant = z.object({
  id: z.string().min(1),
  kind: UsageKind,
  expiresAt: z.iso.datetime(),
  offline: z.boolean(),
});
export type Grant = z.infer<typeof Grant>;

export const SaveRenderInput = z.object({
  grantId: z.string().min(1),
  data: z.instanceof(Uint8Array),
  suggestedName: z.string().min(1).max(255),
  /** What the caller is saving; when given, the grant must be of this kind. */
  kind: UsageKind.optional(),
  /** The file's format: the save dialog's filter and the name's extension follow it (default WAV). */
  format: ExportFormat.optional(),
});
export const SavedFile = z.object({ path: z.string() });

/**
 * A render written as it is encoded, never held whole: `beginRender` asks where (the save dialog)
 * and opens a hidden file beside that place, `writeRender` adds each piece in order (or, `at` given,
 * writes over bytes already written: the header an encoder can only complete at the end),
 * `finishRender` puts the file under its name and counts the render. `gate.release` mid-way (a
 * cancel, a failure) gives the reservation back and removes the unfinished file.
 */
export const BeginRenderInput = SaveRenderInput.omit({ data: true });
/** A piece bigger than this is a render that does not stream: the Worker hands over a few MiB at a time. */
export const MAX_RENDER_PIECE_BYTES = 64 * 1024 * 1024;
const RenderPiece = z
  .instanceof(Uint8Array)
  .refine((d) => d.byteLength <= MAX_RENDER_PIECE_BYTES, 'at most 64 MiB a piece');
/** Where a piece goes over bytes already written (absent: after them). */
const PieceAt = z.number().int().nonnegative().optional();
export const RenderPieceInput = z.object({ grantId: z.string().min(1), data: RenderPiece, at: PieceAt });
/** How many bytes the unfinished file holds after the piece. */
export const WrittenRender = z.object({ bytes: z.number().int().nonnegative() });

/**
 * Stems are one export, counted once, written as several files into one new folder: `beginStems`
 * asks for the place (once) and opens the folder, `writeStem` writes each file as it is rendered,
 * `finishStems` puts the folder in place and counts the export. `gate.release` mid-way (a cancel, a
 * failure) gives the reservation back and removes the unfinished folder.
 */
export const BeginStemsInput = z.object({
  grantId: z.string().min(1),
  /** The new folder's name (the song's); never a path: main keeps only a safe name. */
  folderName: z.string().min(1).max(200),
  format: ExportFormat,
});
export const StemsFolder = z.object({ folder: z.string() });
export const StemFileInput = z.object({
  grantId: z.string().min(1),
  /** The stem's name without extension (engine's stemFileName); main adds the format's extension. */
  name: z.string().min(1).max(200),
  /** The whole stem, or (with `more`, or after a piece with it) a piece of it as `writeRender` takes. */
  data: RenderPiece,
  at: PieceAt,
  /** More pieces of this stem follow; the piece without it ends the stem. */
  more: z.boolean().optional(),
});
export const WrittenStem = z.object({ file: z.string() });
export const SavedStems = z.object({ path: z.string(), files: z.array(z.string()) });

export const ProjectSaveInput = z.object({ project: ProjectFile, saveAs: z.boolean() });
/**
 * A project is saved as a folder: the project file and an Audio folder with a copy of every track's
 * source, referenced by relative path. `missing`: the ids of tracks saved without audio (main had
 * none for them).
 */
export const SavedProject = SavedFile.extend({ missing: z.array(z.string()) });
/**
 * `missing`: the ids of tracks whose audio main found neither where the project says nor, by file
 * name, beside it (or in its Audio or stems folder). The others are read with `project.loadAudio`.
 */
export const OpenedProject = z.object({
  path: z.string(),
  project: ProjectFile,
  missing: z.array(z.string()),
});
/**
 * The audio of a track of the open session, kept by main beside the autosave so that a restart or
 * a crash brings the sound back too, not only the settings. The id names a file: no paths.
 */
export const SessionAudioId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'track id: letters, digits, - and _');
/** A kept source is at most this big: no real stem comes close, and a bigger one stays unkept. */
export const MAX_SESSION_AUDIO_BYTES = 1024 * 1024 * 1024;
export const SessionAudio = z.object({
  trackId: SessionAudioId,
  data: z.instanceof(Uint8Array).refine((d) => d.byteLength <= MAX_SESSION_AUDIO_BYTES, 'at most 1 GiB'),
});

/**
 * A track's audio from the project main opened: the bytes of its file and the file's name (which
 * tells the decoder the kind). Main keeps a copy beside the autosave, as for an import.
 */
export const ProjectAudio = SessionAudio.extend({ name: z.string().min(1).max(255) });

/** The desk's state as autosaved for everyone: free users lose no work either. */
export const Autosave = z.object({ savedAt: z.iso.datetime(), project: ProjectFile });
export type Autosave = z.infer<typeof Autosave>;

const none = z.undefined();
function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output: result(output) };
}

export const bridgeMethods = {
  'app.getInfo': method(none, AppInfo),
  'app.setLocale': method(z.object({ locale: Locale }), AppInfo),
  'account.getState': method(none, AccountState),
  'account.signUp': method(Credentials, AccountState),
  'account.signIn': method(
    z.object({ email: z.string().max(254), password: z.string().max(128) }),
    AccountState,
  ),
  'account.signOut': method(none, AccountState),
  /** "Forgot password?": the server mails a single-use link (the same answer for any email). */
  'account.requestPasswordReset': method(
    z.object({ email: z.string().max(254) }),
    z.object({ sent: z.literal(true) }),
  ),
  /** The devices holding a place on the account (this one is `app.getInfo`'s deviceId). */
  'account.devices': method(none, DevicesResponse),
  /** Signs another device out (its place freed, its session revoked); answers the list after. */
  'account.signOutDevice': method(z.object({ deviceId: DeviceId }), DevicesResponse),
  'billing.getPlans': method(none, PlansResponse),
  'billing.startCheckout': method(z.object({ priceId: z.string().min(1).max(255) }), CheckoutStatus),
  'billing.reopenCheckout': method(none, CheckoutStatus),
  'billing.cancelCheckout': method(none, CheckoutStatus),
  'billing.getCheckout': method(none, CheckoutStatus),
  'billing.openPortal': method(none, z.object({ opened: z.boolean() })),
  /** The musician's invoices, a page at a time (`after`: the previous page's `nextCursor`). */
  'billing.listInvoices': method(z.object({ after: z.string().max(255).optional() }), InvoicesResponse),
  /** Opens an invoice main listed (its page or PDF) in the system browser; never a URL the renderer gives. */
  'billing.openInvoice': method(
    z.object({ id: z.string().min(1).max(255), document: z.enum(['page', 'pdf']) }),
    z.object({ opened: z.boolean() }),
  ),
  /** Opens Stripe's hosted invoice page of a renewal that waits for 3-D Secure (main knows the URL). */
  'billing.confirmPayment': method(none, z.object({ opened: z.boolean() })),
  'entitlements.get': method(none, EntitlementState),
  'entitlements.refresh': method(none, EntitlementState),
  'gate.authorize': method(z.object({ kind: UsageKind }), Grant),
  'gate.saveRender': method(SaveRenderInput, SavedFile),
  'gate.beginRender': method(BeginRenderInput, SavedFile),
  'gate.writeRender': method(RenderPieceInput, WrittenRender),
  'gate.finishRender': method(z.object({ grantId: z.string().min(1) }), SavedFile),
  'gate.beginStems': method(BeginStemsInput, StemsFolder),
  'gate.writeStem': method(StemFileInput, WrittenStem),
  'gate.finishStems': method(z.object({ grantId: z.string().min(1) }), SavedStems),
  /** The render was cancelled, failed, or its master discarded: its reservation goes back, uncounted. */
  'gate.release': method(z.object({ grantId: z.string().min(1) }), z.object({ released: z.boolean() })),
  'project.save': method(ProjectSaveInput, SavedProject),
  'project.open': method(none, OpenedProject),
  'project.autosave': method(z.object({ project: ProjectFile }), z.object({ savedAt: z.iso.datetime() })),
  'project.restoreAutosave': method(none, Autosave.nullable()),
  'project.keepAudio': method(SessionAudio, z.object({ kept: z.literal(true) })),
  'project.recallAudio': method(z.object({ trackId: SessionAudioId }), SessionAudio.nullable()),
  /** The audio of a track of the opened project that main found (not one of `missing`). */
  'project.loadAudio': method(z.object({ trackId: SessionAudioId }), ProjectAudio),
  /**
   * "Locate…" for a track whose audio is missing: main asks the musician for the file (an open
   * dialog filtered to audio), and relinks every other missing track whose file is in that folder.
   */
  'project.locateAudio': method(
    z.object({ trackId: SessionAudioId }),
    z.object({ relinked: z.array(SessionAudioId) }),
  ),
} as const;
export type BridgeMethods = typeof bridgeMethods;
export type BridgeMethodName = keyof BridgeMethods;
export type BridgeInput<M extends BridgeMethodName> = z.input<BridgeMethods[M]['input']>;
export type BridgeOutput<M extends BridgeMethodName> = z.output<BridgeMethods[M]['output']>;

export const bridgeEvents = {
  'account.changed': AccountState,
  'entitlements.changed': EntitlementState,
  'checkout.changed': CheckoutStatus,
  /** A plain message main wants the user to see (e.g. credentials kept only for this session). */
  notice: z.object({ level: z.enum(['info', 'warning', 'error']), code: z.string(), message: z.string() }),
} as const;
export type BridgeEvents = typeof bridgeEvents;
export type BridgeEventName = keyof BridgeEvents;
export type BridgeEventPayload<E extends BridgeEventName> = z.output<BridgeEvents[E]>;

export { ipcChannel } from './bridge-shape';

/** The method and event names of the table, for the preload (which carries no schemas). */
export const bridgeNames: BridgeNames = {
  methods: Object.keys(bridgeMethods) as BridgeMethodName[],
  events: Object.keys(bridgeEvents) as BridgeEventName[],
};

type Namespaces = BridgeMethodName extends `${infer NS}.${string}` ? NS : never;
type Call<M extends BridgeMethodName> =
  BridgeInput<M> extends undefined
    ? () => Promise<BridgeOutput<M>>
    : (input: BridgeInput<M>) => Promise<BridgeOutput<M>>;

/** `window.siberia`: `siberia.account.signIn({...})`, `siberia.on('checkout.changed', cb)`. */
export type SiberiaBridge = {
  [NS in Namespaces]: {
    [M in BridgeMethodName as M extends `${NS}.${infer Name}` ? Name : never]: Call<M>;
  };
} & {
  on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void;
};

/** Builds the nested `window.siberia` object from one generic `invoke`, for the test host and tests. */
export function buildBridge(
  invoke: (name: BridgeMethodName, input: unknown) => Promise<unknown>,
  subscribe: (event: BridgeEventName, listener: (payload: unknown) => void) => () => void,
): SiberiaBridge {
  return bridgeFromNames(bridgeNames, invoke, subscribe);
}
