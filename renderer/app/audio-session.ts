import { newTrack } from '../../contracts/project';
import { EngineClient } from '../audio/engine-client';
import { looksLikeAudio, recoveryNotice, sourceFileName, trackNameFromFile } from '../audio/import-rules';
import { importAudio } from '../audio/importer';
import { MeterBus } from '../audio/meter-bus';
import { PreviewGraph } from '../audio/preview';
import type { MeterReading, MixInput, Peaks } from '../audio/protocol';
import { type SharedSource, sourceSeconds } from '../audio/shared-source';
import { call } from '../bridge';
import type { MixState } from '../state/mix';
import { createStore, type Store } from '../state/store';
import { type ClipAction, clipReducer } from '../state/track-meter';
import type { DeskBasics } from './desk-basics';
import { unreferenced } from './held-sources';

export type TrackAudio = { peaks: Peaks; duration: number };
export type Library = Readonly<Record<string, TrackAudio>>;
type LibraryAction =
  | { id: string; audio: TrackAudio }
  | { type: 'clear' }
  | { type: 'forget'; ids: string[] };

/**
 * The session's sound: importing files (kept by main beside the autosave and recalled after a
 * restart), the AudioContext with its preview graph and meter, and the transport. Each decoded source
 * exists once, in shared memory (shared-source.ts), referenced by track id here (`sources`), in the
 * engine Worker (renders) and in the preview's worklet; all three let go of it together (`release`,
 * `clearAudio`).
 */
export class AudioSession {
  readonly library: Store<Library, LibraryAction>;
  readonly meter: Store<MeterReading, MeterReading>;
  readonly busy: Store<string | null, string | null>;
  readonly transport: Store<boolean, boolean>;
  /** Tracks whose clip light is on. */
  readonly clips: Store<ReadonlySet<string>, ClipAction>;
  readonly engine: EngineClient;
  private context: AudioContext | null = null;
  private preview: PreviewGraph | null = null;
  private meterBus: MeterBus | null = null;
  private readonly sources = new Map<string, SharedSource>();
  /** Sources were forgotten while the preview played: its context is renewed once it stops. */
  private renewWhenStopped = false;

  constructor(
    private readonly deps: DeskBasics & {
      spawnEngine: () => Worker;
      spawnMeter: () => Worker;
      workletUrl: string;
      /** The preview's mixer worklet (mix.worklet.ts). */
      mixWorkletUrl: string;
      /** The master's A/B worklet (ab.worklet.ts). */
      abWorkletUrl: string;
      /** Called before the preview starts playing (the A/B comparison stops then). */
      beforePlay: () => void;
    },
  ) {
    this.library = createStore((s: Library, a: LibraryAction): Library => {
      if (!('type' in a)) return { ...s, [a.id]: a.audio };
      if (a.type === 'clear') return {};
      return Object.fromEntries(Object.entries(s).filter(([id]) => !a.ids.includes(id)));
    }, {});
    this.meter = createStore((_s: MeterReading, a: MeterReading) => a, {
      momentary: null,
      shortTerm: null,
      truePeak: null,
    });
    this.busy = createStore((_s: string | null, a: string | null) => a, null as string | null);
    this.transport = createStore((_s: boolean, playing: boolean) => playing, false);
    this.clips = createStore(clipReducer, new Set<string>() as ReadonlySet<string>);
    this.engine = new EngineClient(deps.spawnEngine, () =>
      [...this.sources].map(([trackId, source]) => ({ trackId, source })),
    );
    deps.mix.subscribe(() => this.release());
  }

  /** Sources no track can come back to (see held-sources.ts) are dropped here, in the Worker and the worklet. */
  private release(): void {
    const gone = unreferenced(this.sources.keys(), this.deps.mix.getState());
    if (gone.length === 0) return;
    for (const id of gone) this.sources.delete(id);
    this.engine.forget(gone);
    this.preview?.forget(gone);
    this.library.dispatch({ type: 'forget', ids: gone });
    this.renewAudio();
  }

  /**
   * After sources were forgotten: the desk's AudioContext is closed and a fresh one made (its
   * meter and preview worklet rebuilt, the remaining sources handed to it, the playhead kept). The
   * worklet's thread goes with the old context, and with it the forgotten sources it still held: a
   * worklet allocates so little that V8 may not collect there for minutes, and nothing outside it
   * can make it (bench/preview-release.ts measured a 10-minute stem kept after 60 s). The copies it
   * made of the sources left (at its rate) are handed over rather than made again. While the
   * preview plays, all this waits until it stops.
   */
  private renewAudio(): void {
    const preview = this.preview;
    if (!preview) return;
    if (preview.isPlaying) {
      this.renewWhenStopped = true;
      return;
    }
    this.renewWhenStopped = false;
    const at = preview.position();
    const meterBus = this.meterBus;
    const context = this.context;
    this.preview = null;
    this.meterBus = null;
    this.context = null;
    const fresh = this.ensureAudio();
    fresh.seek(at);
    // The copies the old worklet made at its rate (a resampled 10-minute stem takes seconds to make)
    // come back for the new one; then the old context goes.
    void preview
      .handBack()
      .then((copies) => {
        for (const { trackId, source, channels } of copies) fresh.adopt(trackId, source, channels);
      })
      .finally(() => {
        preview.dispose();
        meterBus?.dispose();
        void context?.close();
      });
  }

  /** The preview stopped: a renewal held back while it played is due now. */
  private stopped(): void {
    if (this.renewWhenStopped) this.renewAudio();
  }

  /** The AudioContext starts on first use: creating it costs time the first paint does not need. */
  private ensureAudio(): PreviewGraph {
    if (this.preview) return this.preview;
    const context = new AudioContext({ latencyHint: 'interactive' });
    this.context = context;
    this.meterBus = new MeterBus(context, this.deps.spawnMeter, this.deps.workletUrl, (r) =>
      this.meter.dispatch(r),
    );
    this.preview = new PreviewGraph(context, this.meterBus.input, this.deps.mixWorkletUrl);
    this.preview.onEnded = () => {
      this.transport.dispatch(false);
      this.silenceMeter();
      this.stopped();
    };
    for (const [id, source] of this.sources) this.preview.setSource(id, source);
    this.preview.sync(this.deps.mix.getState().present);
    return this.preview;
  }

  /** The context, where playback goes so that the meter hears it, and the A/B's worklet. */
  output(): { context: AudioContext; out: AudioNode; resetMeter(): void; abWorkletUrl: string } {
    this.ensureAudio();
    const context = this.context as AudioContext;
    return {
      context,
      out: this.meterBus?.input ?? context.destination,
      resetMeter: () => this.meterBus?.reset(),
      abWorkletUrl: this.deps.abWorkletUrl,
    };
  }

  /** The project changed: the preview follows (if the audio system is awake). */
  sync(project: MixState['present']): void {
    this.preview?.sync(project);
  }

  /** Playhead in seconds, without waking the audio system up. */
  position(): number {
    return this.preview?.position() ?? 0;
  }

  /** A track's latest peaks for its meter, without waking the audio system up. */
  trackPeaks(trackId: string): { left: number; right: number } | null {
    return this.preview?.peaks(trackId) ?? null;
  }

  /** Whether any track of the project has its audio. */
  hasAnyAudio(): boolean {
    return this.deps.mix.getState().present.tracks.some((t) => this.sources.has(t.id));
  }

  mixInput(): MixInput {
    const project = this.deps.mix.getState().present;
    return {
      tracks: project.tracks,
      master: project.master,
      reverb: project.reverb,
      sampleRate: project.sampleRate,
    };
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
    const { notices, mix } = this.deps;
    const preview = this.ensureAudio();
    const context = preview.context;
    const failed = (reason: string) => {
      notices.notify('error', { key: 'desk.importFailed', params: { file: file.name, reason } });
      return false;
    };
    if (!looksLikeAudio(file) && file.type !== '') return failed(notices.t('audioError.not_audio'));
    const tracks = mix.getState().present.tracks;
    const orphan = into
      ? tracks.find((t) => t.id === into)
      : tracks.find((t) => sourceFileName(t.source.path) === file.name && !this.sources.has(t.id));
    const trackId = orphan?.id ?? crypto.randomUUID();
    this.busy.dispatch(notices.t('desk.importing', { file: file.name }));
    try {
      const result = await importAudio(trackId, file, this.engine, (bytes) => context.decodeAudioData(bytes));
      if (!result.ok) return failed(notices.t(result.reason));
      // The source is shared with the Worker (which keeps it for renders) and the preview's worklet.
      const source = result.source;
      this.sources.set(trackId, source);
      this.library.dispatch({ id: trackId, audio: { peaks: result.peaks, duration: sourceSeconds(source) } });
      preview.setSource(trackId, source);
      if (result.recovered) {
        const notice = recoveryNotice(file.name, source.frames, source.sampleRate, result.recovered, (s) =>
          notices.seconds(s),
        );
        notices.notify('warning', notice);
      }
      if (!orphan) {
        mix.dispatch({
          type: 'addTracks',
          tracks: [newTrack(trackId, trackNameFromFile(file.name), file.name)],
        });
      } else {
        preview.sync(mix.getState().present);
        // The track may have gone for good while its file was read.
        this.release();
      }
      if (!into) void this.keepAudio(trackId, file);
      return true;
    } catch (error) {
      return failed(String((error as Error)?.message ?? error));
    }
  }

  /** Main keeps the file's bytes beside the autosave, so a restart brings the sound back too. */
  private async keepAudio(trackId: string, file: File): Promise<void> {
    const kept = await call(async () =>
      this.deps.bridge.project.keepAudio({ trackId, data: new Uint8Array(await file.arrayBuffer()) }),
    );
    if (!kept.ok) this.deps.notices.notify('warning', { key: 'desk.notKept', params: { file: file.name } });
  }

  /**
   * Another project is opened: the audio of the session goes (track ids may repeat between
   * projects, and a track must never sound with another project's file). The engine Worker is
   * stopped (its sources go with it); a fresh one gets the sources loaded from now on. The worklet
   * is told to drop its own.
   */
  clearAudio(): void {
    this.stop();
    this.sources.clear();
    this.preview?.clear();
    this.engine.cancel();
    this.library.dispatch({ type: 'clear' });
    this.renewAudio();
  }

  /**
   * The audio of tracks of the project main opened (or relinked), each decoded as if imported into
   * its track; answers the ids that have their sound now. A file that cannot be read says why.
   */
  async loadProjectAudio(trackIds: readonly string[]): Promise<string[]> {
    const loaded: string[] = [];
    for (const trackId of trackIds) {
      const got = await call(() => this.deps.bridge.project.loadAudio({ trackId }));
      if (!got.ok) {
        this.deps.notices.failed(got.error, (message) => ({ key: 'desk.projectError', params: { message } }));
        continue;
      }
      if (await this.importOne(new File([got.value.data], got.value.name), trackId)) loaded.push(trackId);
    }
    this.busy.dispatch(null);
    return loaded;
  }

  /** Whether a track has its sound. */
  hasAudio(trackId: string): boolean {
    return this.sources.has(trackId);
  }

  /** After a restore: each track's kept audio, decoded as if imported again; says whether all came back. */
  async recallAudio(tracks: readonly { id: string; source: { path: string } }[]): Promise<boolean> {
    for (const track of tracks) {
      const recalled = await call(() => this.deps.bridge.project.recallAudio({ trackId: track.id }));
      if (!recalled.ok || !recalled.value) continue;
      await this.importOne(new File([recalled.value.data], track.source.path), track.id);
    }
    this.busy.dispatch(null);
    return tracks.every((t) => this.sources.has(t.id));
  }

  /** Stopped: the master meter reads silence at once rather than keeping the last reading. */
  private silenceMeter(): void {
    this.meterBus?.reset();
    this.meter.dispatch({ momentary: null, shortTerm: null, truePeak: null });
    // Blocks the tap sent before the stop may still be on their way to the meter: forget them too.
    setTimeout(() => {
      if (!this.preview?.isPlaying) this.meterBus?.reset();
    }, 250);
  }

  async togglePlay(): Promise<void> {
    const preview = this.ensureAudio();
    if (preview.isPlaying) {
      preview.pause();
      this.silenceMeter();
      this.stopped();
    } else {
      this.deps.beforePlay();
      this.meterBus?.reset();
      await preview.play();
    }
    this.transport.dispatch(this.preview?.isPlaying ?? false);
  }

  stop(): void {
    this.preview?.stop();
    this.transport.dispatch(false);
    this.silenceMeter();
    this.stopped();
  }

  seek(seconds: number): void {
    this.ensureAudio().seek(seconds);
  }

  dispose(): void {
    this.engine.dispose();
    this.preview?.dispose();
    this.meterBus?.dispose();
    void this.context?.close();
  }
}
