import type { SiberiaBridge } from '../../contracts/bridge';
import type { Feature, UsageKind } from '../../contracts/plan';
import { newTrack, parseProjectFile } from '../../contracts/project';
import { EngineClient, EngineError, type SourceAudio } from '../audio/engine-client';
import { looksLikeAudio, trackNameFromFile } from '../audio/import-rules';
import { importAudio } from '../audio/importer';
import { MeterBus } from '../audio/meter-bus';
import { PreviewGraph } from '../audio/preview';
import type { MeterReading, MixInput, Peaks } from '../audio/protocol';
import { call, type Result } from '../bridge';
import { type MessageKey, type Params, translator } from '../i18n';
import { type AuthFields, type AuthMode, hasErrors, validateAuth } from '../state/auth-form';
import { type MixAction, type MixState, initialMix, mixReducer } from '../state/mix';
import { type RenderAction, type RenderState, renderReducer } from '../state/render';
import {
  initialSession,
  type Modal,
  type SessionAction,
  type SessionState,
  sessionReducer,
} from '../state/session';
import { createStore, type Store } from '../state/store';
import { errorText, featureRefusal, type Refusal, refusalFromAuthorize, type Text } from '../state/upsell';
import { Autosaver } from './autosave';

export type TrackAudio = { peaks: Peaks; duration: number };
export type Library = Readonly<Record<string, TrackAudio>>;
export type AuthOutcome = { ok: true } | { ok: false; error: Text };

/**
 * The desk's one controller: it owns the stores, the preview graph, the engine Worker and the bridge,
 * and turns what the musician does into store actions and bridge calls. Components read stores and
 * call these methods; all decisions live in the pure reducers and view functions of state/.
 */
export class DeskController {
  readonly mix: Store<MixState, MixAction>;
  readonly session: Store<SessionState, SessionAction>;
  readonly render: Store<RenderState, RenderAction>;
  readonly library: Store<Library, { id: string; audio: TrackAudio }>;
  readonly meter: Store<MeterReading, MeterReading>;
  readonly busy: Store<string | null, string | null>;
  readonly transport: Store<boolean, boolean>;
  private context: AudioContext | null = null;
  private preview: PreviewGraph | null = null;
  private meterBus: MeterBus | null = null;
  private readonly engine: EngineClient;
  private readonly sources = new Map<string, SourceAudio>();
  private readonly autosaver: Autosaver;
  private job = 0;
  private abPlayer: { stop(): void; setSide(side: 'A' | 'B'): void } | null = null;
  private masterBuffers: { A: AudioBuffer; B: AudioBuffer; wav: Uint8Array } | null = null;

  constructor(
    readonly bridge: SiberiaBridge,
    spawnEngine: () => Worker,
    private readonly spawnMeter: () => Worker,
    private readonly workletUrl: string,
  ) {
    this.mix = createStore(mixReducer, initialMix());
    this.session = createStore(sessionReducer, initialSession());
    this.render = createStore(renderReducer, { phase: 'idle' } as RenderState);
    this.library = createStore(
      (s: Library, a: { id: string; audio: TrackAudio }) => ({ ...s, [a.id]: a.audio }),
      {},
    );
    this.meter = createStore((_s: MeterReading, a: MeterReading) => a, {
      momentary: null,
      shortTerm: null,
      truePeak: null,
    });
    this.busy = createStore((_s: string | null, a: string | null) => a, null as string | null);
    this.transport = createStore((_s: boolean, playing: boolean) => playing, false);
    this.engine = new EngineClient(spawnEngine, () =>
      [...this.sources].map(([trackId, audio]) => ({ trackId, audio })),
    );
    this.autosaver = new Autosaver((project) => this.bridge.project.autosave({ project }), 1500);
    this.mix.subscribe(() => {
      const project = this.mix.getState().present;
      this.preview?.sync(project);
      this.autosaver.schedule(project);
    });
  }

  t(key: MessageKey, params?: Params): string {
    return translator(this.session.getState().locale)(key, params);
  }

  /** First paint needs only the locale; the rest arrives as the bridge answers. */
  async start(): Promise<void> {
    const b = this.bridge;
    b.on('account.changed', (account) => this.session.dispatch({ type: 'account', account }));
    b.on('entitlements.changed', (entitlements) =>
      this.session.dispatch({ type: 'entitlements', entitlements }),
    );
    b.on('checkout.changed', (checkout) => this.session.dispatch({ type: 'checkout', checkout }));
    b.on('notice', (n) => this.session.dispatch({ type: 'notify', level: n.level, text: n.message }));
    const [info, account, entitlements, checkout, restored] = await Promise.all([
      call(() => b.app.getInfo()),
      call(() => b.account.getState()),
      call(() => b.entitlements.get()),
      call(() => b.billing.getCheckout()),
      call(() => b.project.restoreAutosave()),
    ]);
    if (info.ok) this.session.dispatch({ type: 'info', info: info.value });
    if (account.ok) this.session.dispatch({ type: 'account', account: account.value });
    if (entitlements.ok) this.session.dispatch({ type: 'entitlements', entitlements: entitlements.value });
    if (checkout.ok) this.session.dispatch({ type: 'checkout', checkout: checkout.value });
    if (restored.ok && restored.value && restored.value.project.tracks.length > 0) {
      this.autosaver.skip(restored.value.project);
      this.mix.dispatch({ type: 'load', project: restored.value.project });
      // The desk is usable at once; the kept audio decodes behind it.
      const tracks = restored.value.project.tracks;
      void this.recallAudio(tracks).then(() => {
        const missing = tracks.some((t) => !this.sources.has(t.id));
        this.notify('info', { key: missing ? 'desk.restored' : 'desk.restoredWithAudio' });
      });
    }
  }

  // ---------- audio ----------

  /** The AudioContext starts on first use: creating it costs time the first paint does not need. */
  private ensureAudio(): PreviewGraph {
    if (this.preview) return this.preview;
    const context = new AudioContext({ latencyHint: 'interactive' });
    this.context = context;
    this.meterBus = new MeterBus(context, this.spawnMeter, this.workletUrl, (r) => this.meter.dispatch(r));
    this.preview = new PreviewGraph(context, this.meterBus.input);
    this.preview.onEnded = () => this.transport.dispatch(false);
    for (const [id, audio] of this.sources) this.preview.setBuffer(id, toBuffer(context, audio));
    this.preview.sync(this.mix.getState().present);
    return this.preview;
  }

  get previewGraph(): PreviewGraph {
    return this.ensureAudio();
  }

  /** Playhead in seconds, without waking the audio system up. */
  position(): number {
    return this.preview?.position() ?? 0;
  }

  hasAudio(trackId: string): boolean {
    return this.sources.has(trackId);
  }

  /**
   * Imports files one after another. A file that cannot be read gets its own message and the rest go
   * on. A file whose name matches a restored track without audio fills that track instead of adding one.
   */
  async importFiles(files: readonly File[]): Promise<void> {
    for (const file of files) await this.importOne(file);
    this.busy.dispatch(null);
  }

  /** One file into a new track, into the restored track of that name, or (`into`) into a given track. */
  private async importOne(file: File, into?: string): Promise<boolean> {
    const preview = this.ensureAudio();
    const context = this.context as AudioContext;
    if (!looksLikeAudio(file) && file.type !== '') {
      this.notify('error', {
        key: 'desk.importFailed',
        params: { file: file.name, reason: this.t('audioError.not_audio') },
      });
      return false;
    }
    const tracks = this.mix.getState().present.tracks;
    const orphan = into
      ? tracks.find((t) => t.id === into)
      : tracks.find((t) => t.source.path === file.name && !this.sources.has(t.id));
    const trackId = orphan?.id ?? crypto.randomUUID();
    this.busy.dispatch(this.t('desk.importing', { file: file.name }));
    try {
      const result = await importAudio(trackId, file, this.engine, (bytes) => context.decodeAudioData(bytes));
      if (!result.ok) {
        this.notify('error', {
          key: 'desk.importFailed',
          params: { file: file.name, reason: this.t(result.reason) },
        });
        return false;
      }
      // The AudioBuffer is the desk's one copy; the Worker keeps its own for renders.
      const buffer = toBuffer(context, result.audio);
      const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
      this.sources.set(trackId, { sampleRate: buffer.sampleRate, channels });
      this.library.dispatch({ id: trackId, audio: { peaks: result.peaks, duration: buffer.duration } });
      preview.setBuffer(trackId, buffer);
      if (!orphan) {
        this.mix.dispatch({
          type: 'addTracks',
          tracks: [newTrack(trackId, trackNameFromFile(file.name), file.name)],
        });
      } else {
        preview.sync(this.mix.getState().present);
      }
      if (!into) void this.keepAudio(trackId, file);
      return true;
    } catch (error) {
      this.notify('error', {
        key: 'desk.importFailed',
        params: { file: file.name, reason: String((error as Error)?.message ?? error) },
      });
      return false;
    }
  }

  /** Main keeps the file's bytes beside the autosave, so a restart brings the sound back too. */
  private async keepAudio(trackId: string, file: File): Promise<void> {
    const kept = await call(async () =>
      this.bridge.project.keepAudio({ trackId, data: new Uint8Array(await file.arrayBuffer()) }),
    );
    if (!kept.ok) this.notify('warning', { key: 'desk.notKept', params: { file: file.name } });
  }

  /** After a restore: each track's kept audio, decoded as if imported again. */
  private async recallAudio(tracks: readonly { id: string; source: { path: string } }[]): Promise<void> {
    for (const track of tracks) {
      const recalled = await call(() => this.bridge.project.recallAudio({ trackId: track.id }));
      if (!recalled.ok || !recalled.value) continue;
      await this.importOne(new File([recalled.value.data], track.source.path), track.id);
    }
    this.busy.dispatch(null);
  }

  async togglePlay(): Promise<void> {
    const preview = this.ensureAudio();
    if (preview.isPlaying) preview.pause();
    else {
      this.stopAB();
      this.meterBus?.reset();
      await preview.play();
    }
    this.transport.dispatch(preview.isPlaying);
  }

  stop(): void {
    this.preview?.stop();
    this.transport.dispatch(false);
  }

  seek(seconds: number): void {
    this.ensureAudio().seek(seconds);
  }

  // ---------- export and master ----------

  private mixInput(): MixInput {
    const project = this.mix.getState().present;
    return { tracks: project.tracks, master: project.master, sampleRate: project.sampleRate };
  }

  async exportOrMaster(kind: UsageKind): Promise<void> {
    if (this.render.getState().phase !== 'idle') return;
    if (!this.mix.getState().present.tracks.some((t) => this.sources.has(t.id))) {
      this.notify('info', { key: 'desk.nothingToRender' });
      return;
    }
    this.render.dispatch({ type: 'authorize', kind });
    const answer = await call(() => this.bridge.gate.authorize({ kind }));
    if (!answer.ok) {
      this.render.dispatch({ type: 'done' });
      this.notify('error', errorText(answer.error));
      return;
    }
    const refusal = refusalFromAuthorize(kind, answer.value);
    if (refusal || !answer.value.ok) {
      this.render.dispatch({ type: 'done' });
      if (refusal) this.openModal({ type: 'refusal', refusal });
      return;
    }
    const grantId = answer.value.grant.id;
    const job = ++this.job;
    this.render.dispatch({ type: 'start', kind, job, grantId });
    const onProgress = (fraction: number) => this.render.dispatch({ type: 'progress', job, fraction });
    try {
      if (kind === 'export') {
        const wav = await this.engine.render(this.mixInput(), onProgress);
        await this.saveRender(job, 'export', grantId, wav, 'mix.wav');
      } else {
        const result = await this.engine.master(this.mixInput(), onProgress);
        const context = this.context ?? this.ensureAudio().context;
        this.masterBuffers = {
          A: toBuffer(context, { sampleRate: result.sampleRate, channels: result.original }),
          B: toBuffer(context, { sampleRate: result.sampleRate, channels: result.mastered }),
          wav: result.wav,
        };
        this.render.dispatch({ type: 'report', job, report: result.report });
      }
    } catch (error) {
      if (this.job !== job) return;
      this.render.dispatch({ type: 'done' });
      if (error instanceof EngineError && error.failure.code === 'cancelled') {
        this.notify('info', { key: 'render.cancelled' });
      } else {
        this.notify('error', {
          key: 'render.failed',
          params: { message: String((error as Error)?.message ?? error) },
        });
      }
    }
  }

  cancelRender(): void {
    const state = this.render.getState();
    if (state.phase === 'rendering') this.engine.cancel();
    else if (state.phase === 'report') this.discardMaster();
  }

  private baseName(): string {
    const name = this.mix.getState().present.name.trim();
    return name === '' ? 'Siberia Mix' : name;
  }

  private async saveRender(job: number, kind: UsageKind, grantId: string, wav: Uint8Array, suffix: string) {
    this.render.dispatch({ type: 'saving', job, kind });
    const suggestedName = `${this.baseName()} - ${suffix}`.slice(0, 255);
    const saved = await call(() =>
      this.bridge.gate.saveRender({ grantId, kind, data: wav as Uint8Array<ArrayBuffer>, suggestedName }),
    );
    this.render.dispatch({ type: 'done' });
    if (saved.ok) this.notify('info', { key: 'desk.savedTo', params: { path: saved.value.path } });
    else if (saved.error.code !== 'cancelled') {
      this.notify('error', {
        key: 'render.saveFailed',
        params: { message: this.text(errorText(saved.error)) },
      });
    }
    void this.refreshEntitlements();
  }

  listen(side: 'A' | 'B'): void {
    this.render.dispatch({ type: 'listen', side });
    this.abPlayer?.setSide(side);
  }

  toggleAB(): void {
    const state = this.render.getState();
    if (state.phase !== 'report' || !this.masterBuffers) return;
    if (state.playing) {
      this.stopAB();
      return;
    }
    this.stop();
    const context = this.context as AudioContext;
    const out = this.meterBus?.input ?? context.destination;
    const gains = { A: context.createGain(), B: context.createGain() };
    const sources = (['A', 'B'] as const).map((side) => {
      const source = context.createBufferSource();
      source.buffer = (this.masterBuffers as { A: AudioBuffer; B: AudioBuffer })[side];
      gains[side].gain.value = state.listening === side ? 1 : 0;
      source.connect(gains[side]).connect(out);
      return source;
    });
    const when = context.currentTime + 0.02;
    for (const s of sources) s.start(when);
    sources[0]?.addEventListener('ended', () => this.stopAB());
    this.abPlayer = {
      stop: () => {
        for (const s of sources) {
          s.stop();
          s.disconnect();
        }
        gains.A.disconnect();
        gains.B.disconnect();
      },
      // Both play in sync; switching only crossfades the two gains, so the comparison is instant.
      setSide: (side) => {
        const now = context.currentTime;
        gains.A.gain.setTargetAtTime(side === 'A' ? 1 : 0, now, 0.01);
        gains.B.gain.setTargetAtTime(side === 'B' ? 1 : 0, now, 0.01);
      },
    };
    void context.resume();
    this.meterBus?.reset();
    this.render.dispatch({ type: 'playing', playing: true });
  }

  private stopAB(): void {
    this.abPlayer?.stop();
    this.abPlayer = null;
    this.render.dispatch({ type: 'playing', playing: false });
  }

  async saveMaster(): Promise<void> {
    const state = this.render.getState();
    if (state.phase !== 'report' || !this.masterBuffers) return;
    this.stopAB();
    const wav = this.masterBuffers.wav;
    this.masterBuffers = null;
    await this.saveRender(state.job, 'master', state.grantId, wav, 'master.wav');
  }

  discardMaster(): void {
    this.stopAB();
    this.masterBuffers = null;
    this.render.dispatch({ type: 'done' });
  }

  // ---------- projects ----------

  private gateFeature(feature: Feature): Refusal | null {
    const s = this.session.getState();
    return featureRefusal(feature, s.account.status === 'signed_in', s.entitlements, new Date());
  }

  async saveProject(saveAs: boolean): Promise<void> {
    const refusal = this.gateFeature('project_save');
    if (refusal) return this.openModal({ type: 'refusal', refusal });
    const project = this.mix.getState().present;
    const saved = await call(() => this.bridge.project.save({ project, saveAs }));
    if (saved.ok) this.notify('info', { key: 'desk.savedTo', params: { path: saved.value.path } });
    else this.projectError(saved);
  }

  async openProject(): Promise<void> {
    const refusal = this.gateFeature('project_save');
    if (refusal) return this.openModal({ type: 'refusal', refusal });
    const opened = await call(() => this.bridge.project.open());
    if (!opened.ok) return this.projectError(opened);
    const parsed = parseProjectFile(opened.value.project);
    if (!parsed.ok) {
      this.notify('error', { key: 'desk.projectError', params: { message: parsed.message } });
      return;
    }
    this.stop();
    this.mix.dispatch({ type: 'load', project: parsed.project });
    this.notify('info', { key: 'desk.opened', params: { path: opened.value.path } });
  }

  private projectError(result: Extract<Result<unknown>, { ok: false }>): void {
    const { code } = result.error;
    if (code === 'cancelled') return;
    if (code === 'upgrade_required' || code === 'unauthorized') {
      const reason = code === 'unauthorized' ? 'signed_out' : 'upgrade_required';
      this.openModal({ type: 'refusal', refusal: { reason, kind: 'project_save', usage: null } });
      return;
    }
    this.notify('error', {
      key: 'desk.projectError',
      params: { message: this.text(errorText(result.error)) },
    });
  }

  // ---------- account, plans, checkout ----------

  openModal(modal: Modal): void {
    this.session.dispatch({ type: 'openModal', modal });
    if (modal?.type === 'pricing') void this.loadPlans();
  }

  closeModal(): void {
    this.session.dispatch({ type: 'closeModal' });
  }

  async loadPlans(): Promise<void> {
    if (this.session.getState().plans.status === 'loading') return;
    this.session.dispatch({ type: 'plansLoading' });
    const plans = await call(() => this.bridge.billing.getPlans());
    if (plans.ok) this.session.dispatch({ type: 'plansLoaded', prices: plans.value.prices });
    else this.session.dispatch({ type: 'plansFailed', error: plans.error });
  }

  async authenticate(mode: AuthMode, fields: AuthFields): Promise<AuthOutcome> {
    const invalid = validateAuth(mode, fields);
    if (hasErrors(invalid)) return { ok: false, error: (invalid.email ?? invalid.password) as Text };
    const input = { email: fields.email.trim(), password: fields.password };
    const result = await call(() =>
      mode === 'signIn' ? this.bridge.account.signIn(input) : this.bridge.account.signUp(input),
    );
    if (!result.ok) return { ok: false, error: errorText(result.error) };
    this.session.dispatch({ type: 'account', account: result.value });
    void this.refreshEntitlements();
    return { ok: true };
  }

  async signOut(): Promise<void> {
    const result = await call(() => this.bridge.account.signOut());
    if (result.ok) this.session.dispatch({ type: 'account', account: result.value });
    else this.notify('error', errorText(result.error));
    void this.refreshEntitlements(false);
  }

  async refreshEntitlements(fromServer = true): Promise<void> {
    const result = await call(() =>
      fromServer ? this.bridge.entitlements.refresh() : this.bridge.entitlements.get(),
    );
    if (result.ok) this.session.dispatch({ type: 'entitlements', entitlements: result.value });
    else if (fromServer) this.notify('error', errorText(result.error));
  }

  async openPortal(): Promise<void> {
    const result = await call(() => this.bridge.billing.openPortal());
    if (!result.ok) this.notify('error', errorText(result.error));
  }

  async startCheckout(priceId: string): Promise<void> {
    if (this.session.getState().account.status !== 'signed_in') {
      this.openModal({ type: 'auth', mode: 'signUp' });
      return;
    }
    const result = await call(() => this.bridge.billing.startCheckout({ priceId }));
    if (result.ok) this.session.dispatch({ type: 'checkout', checkout: result.value });
    else this.notify('error', errorText(result.error));
  }

  async checkoutAction(action: 'reopen' | 'refresh' | 'cancel'): Promise<void> {
    const b = this.bridge.billing;
    if (action === 'refresh') {
      await this.refreshEntitlements();
      const checkout = await call(() => b.getCheckout());
      if (checkout.ok) this.session.dispatch({ type: 'checkout', checkout: checkout.value });
      return;
    }
    const result = await call(() => (action === 'reopen' ? b.reopenCheckout() : b.cancelCheckout()));
    if (result.ok) this.session.dispatch({ type: 'checkout', checkout: result.value });
    else this.notify('error', errorText(result.error));
  }

  closeCheckout(): void {
    this.session.dispatch({ type: 'closeCheckout' });
  }

  async setLocale(locale: 'en' | 'fr'): Promise<void> {
    this.session.dispatch({ type: 'locale', locale });
    const result = await call(() => this.bridge.app.setLocale({ locale }));
    if (result.ok) this.session.dispatch({ type: 'info', info: result.value });
  }

  // ---------- notices ----------

  text(text: Text): string {
    return this.t(text.key, text.params);
  }

  notify(level: 'info' | 'warning' | 'error', text: Text, undo = false): void {
    this.session.dispatch({ type: 'notify', level, text: this.text(text), undo });
  }

  dispose(): void {
    this.engine.dispose();
    this.preview?.dispose();
    this.meterBus?.dispose();
    void this.context?.close();
  }
}

function toBuffer(context: BaseAudioContext, audio: SourceAudio): AudioBuffer {
  const length = Math.max(1, audio.channels[0]?.length ?? 1);
  const buffer = context.createBuffer(Math.max(1, audio.channels.length), length, audio.sampleRate);
  audio.channels.forEach((channel, c) => {
    buffer.copyToChannel(channel as Float32Array<ArrayBuffer>, c);
  });
  return buffer;
}
