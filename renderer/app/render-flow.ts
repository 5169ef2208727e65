import type { BridgeError } from '../../contracts/bridge';
import { type ExportFormat, type ExportSettings, fileExtension } from '../../contracts/export';
import type { UsageKind } from '../../contracts/plan';
import type { Refusal } from '../../contracts/refusal';
import { stemFileName } from '../../engine/mix/stems';
import { type ABPlayer, type ABSource, ABStage, type Side, startAB } from '../audio/ab-player';
import { EngineError, type Piece } from '../audio/engine-client';
import type { Clipping } from '../audio/protocol';
import { isShared } from '../audio/shared-source';
import { toBuffer } from '../audio/to-buffer';
import { call } from '../bridge';
import { loudnessMatch } from '../state/loudness-match';
import { type RenderAction, type RenderState, renderReducer } from '../state/render';
import { createStore, type Store } from '../state/store';
import type { AudioSession } from './audio-session';
import { reportClipping } from './clipping-notice';
import type { DeskBasics } from './desk-basics';

/** Main said no to a file or a piece of one (a write that failed, a grant gone): the export stops with its words. */
class NotWritten extends Error {
  constructor(readonly error: BridgeError) {
    super(error.message);
    this.name = 'NotWritten';
  }
}

/**
 * An export or a master: main's grant first, then (an export) the export dialog's choices, then the
 * render in the engine Worker with its progress, then (a master) the A/B comparison and the
 * musician's save or discard, then main writes the file. Stems ask main for the folder first and
 * hand it each file as it is rendered; they are one export.
 * Main decides; a refusal is shown as it answered. The grant is a reservation: main counts it once
 * the file is written, and every other ending (Cancel, an error, a discarded master) gives it back,
 * so the musician is told nothing was counted.
 */
export class RenderFlow {
  readonly state: Store<RenderState, RenderAction>;
  private job = 0;
  private abPlayer: ABPlayer | null = null;
  /** The next A/B's own context, made ready while the report shows (shared sides only). */
  private abStage: ABStage | null = null;
  /**
   * The master waiting for Save or Discard: what its A/B plays (the Worker's shared views, or
   * AudioBuffers when not isolated), and what the Worker keeps it as. Let go of on Save and Discard.
   */
  private masterBuffers: {
    source: ABSource;
    master: number;
    settings: ExportSettings;
    sessionRate: number;
  } | null = null;
  /** Where the last export of this session went: the export dialog shows it. */
  private lastPath: string | null = null;

  constructor(
    private readonly deps: DeskBasics & {
      audio: AudioSession;
      refreshEntitlements: () => Promise<void>;
    },
  ) {
    this.state = createStore(renderReducer, { phase: 'idle' } as RenderState);
  }

  async exportOrMaster(kind: UsageKind): Promise<void> {
    const { audio, notices, bridge } = this.deps;
    if (this.state.getState().phase !== 'idle') return;
    if (!audio.hasAnyAudio()) {
      notices.notify('info', { key: 'desk.nothingToRender' });
      return;
    }
    this.state.dispatch({ type: 'authorize', kind });
    const grant = await call(() => bridge.gate.authorize({ kind }));
    if (!grant.ok) {
      this.state.dispatch({ type: 'done' });
      notices.failed(grant.error);
      return;
    }
    if (kind === 'export') {
      // Granted: the musician chooses the format, the rate, the tags and the stems.
      this.state.dispatch({ type: 'choose', grantId: grant.value.id, lastPath: this.lastPath });
      return;
    }
    await this.run('master', grant.value.id);
  }

  /** The export dialog's Export: renders with the project's export choices. */
  async confirmExport(): Promise<void> {
    const state = this.state.getState();
    if (state.phase !== 'choosing') return;
    await this.run('export', state.grantId);
  }

  /** The export dialog closed without exporting: the reservation goes back, nothing is counted. */
  cancelExport(): void {
    const state = this.state.getState();
    if (state.phase !== 'choosing') return;
    this.state.dispatch({ type: 'done' });
    void this.release(state.grantId);
  }

  private settings(): ExportSettings {
    return this.deps.mix.getState().present.export;
  }

  private async run(kind: UsageKind, grantId: string): Promise<void> {
    const { audio } = this.deps;
    const job = ++this.job;
    this.state.dispatch({ type: 'start', kind, job, grantId });
    const onProgress = (fraction: number) => this.state.dispatch({ type: 'progress', job, fraction });
    const settings = this.settings();
    try {
      if (kind === 'export' && settings.stems) {
        await this.exportStems(job, grantId, settings, onProgress);
      } else if (kind === 'export') {
        await this.exportMix(job, grantId, settings, onProgress);
      } else {
        const result = await audio.engine.master(audio.mixInput(), settings, onProgress);
        this.masterBuffers = {
          source: this.abSource(result),
          master: result.id,
          settings,
          sessionRate: result.sampleRate,
        };
        this.prepareStage();
        this.state.dispatch({ type: 'report', job, report: result.report });
      }
    } catch (error) {
      if (this.job !== job) return;
      await this.failed(grantId, error);
    }
  }

  /**
   * Cross-origin isolated, the A/B reads the Worker's views of the mix and the master in place (the
   * page makes no copy); else it gets AudioBuffers made once from the copies posted.
   */
  private abSource(result: {
    sampleRate: number;
    original: Float32Array[];
    mastered: Float32Array[];
  }): ABSource {
    const { sampleRate, original, mastered } = result;
    if ([...original, ...mastered].every(isShared))
      return { kind: 'shared', sides: { sampleRate, A: original, B: mastered } };
    const { context } = this.deps.audio.output();
    return {
      kind: 'buffers',
      A: toBuffer(context, { sampleRate, channels: original }),
      B: toBuffer(context, { sampleRate, channels: mastered }),
    };
  }

  /** A render or its saving that did not end in a file: the reservation goes back, and the musician hears why. */
  private async failed(grantId: string, error: unknown): Promise<void> {
    const { notices } = this.deps;
    this.state.dispatch({ type: 'done' });
    await this.release(grantId);
    if (error instanceof NotWritten) {
      if (error.error.code === 'cancelled') notices.notify('info', { key: 'render.saveCancelled' });
      else notices.failed(error.error, (message) => ({ key: 'render.saveFailed', params: { message } }));
    } else if (error instanceof EngineError && error.failure.code === 'cancelled') {
      notices.notify('info', { key: 'render.cancelled' });
    } else {
      const message = String((error as Error)?.message ?? error);
      notices.notify('error', { key: 'render.failed', params: { message } });
    }
  }

  /**
   * The mix: main asks where it goes first, then each piece of the file is written as soon as it
   * is encoded (the Worker waits for each write before encoding more), then main puts the file in
   * place and counts the export. Nothing holds the whole file: an hour-long session exports in the
   * memory of a few seconds of it. Any failure on the way gives the reservation back (main removes
   * the unfinished file).
   */
  private async exportMix(
    job: number,
    grantId: string,
    settings: ExportSettings,
    onProgress: (fraction: number) => void,
  ): Promise<void> {
    const { audio } = this.deps;
    const mix = audio.mixInput();
    const { clipping } = await this.writeFile(job, grantId, 'export', settings.format, (onPiece) =>
      audio.engine.render(mix, settings, onProgress, onPiece),
    );
    reportClipping(this.deps, clipping, 'mix');
  }

  /**
   * One file through main, as `produce` encodes it: where (main's save dialog), then each piece
   * written before the next is made, then the file in place and counted; "Saved to …" said.
   */
  private async writeFile(
    job: number,
    grantId: string,
    kind: UsageKind,
    format: ExportFormat,
    produce: (onPiece: (piece: Piece) => Promise<void>) => Promise<{ clipping: Clipping }>,
  ): Promise<{ clipping: Clipping }> {
    const { bridge, notices } = this.deps;
    const suggestedName = this.suggestedName(kind === 'export' ? 'mix' : 'master', format);
    const begun = await call(() => bridge.gate.beginRender({ grantId, kind, suggestedName, format }));
    if (!begun.ok) throw new NotWritten(begun.error);
    const { clipping } = await produce(async ({ bytes, at }) => {
      if (this.job !== job) throw new Error('superseded');
      const data = ownBytes(bytes);
      const written = await call(() =>
        bridge.gate.writeRender(at === undefined ? { grantId, data } : { grantId, data, at }),
      );
      if (!written.ok) throw new NotWritten(written.error);
    });
    this.state.dispatch({ type: 'saving', job, kind });
    const finished = await call(() => bridge.gate.finishRender({ grantId }));
    if (!finished.ok) throw new NotWritten(finished.error);
    this.state.dispatch({ type: 'done' });
    if (kind === 'export') this.lastPath = finished.value.path;
    notices.notify('info', { key: 'desk.savedTo', params: { path: finished.value.path } });
    void this.deps.refreshEntitlements();
    return { clipping };
  }

  /**
   * Stems: main asks for the folder once, then each stem is written a piece at a time as it is
   * encoded (the Worker waits for each write before encoding more), then main puts the folder in place and
   * counts the export once. Any failure on the way gives the reservation back (main removes the folder).
   */
  private async exportStems(
    job: number,
    grantId: string,
    settings: ExportSettings,
    onProgress: (fraction: number) => void,
  ): Promise<void> {
    const { audio, bridge, notices } = this.deps;
    const mix = audio.mixInput();
    const folderName = `${this.baseName()} - stems`.slice(0, 200);
    const begun = await call(() => bridge.gate.beginStems({ grantId, folderName, format: settings.format }));
    if (!begun.ok) throw new NotWritten(begun.error);
    let current = -1;
    const { clipping } = await audio.engine.renderStems(mix, settings, onProgress, async (stem) => {
      if (this.job !== job) throw new Error('superseded');
      if (stem.index !== current) {
        current = stem.index;
        this.state.dispatch({ type: 'stem', job, index: stem.index + 1, count: stem.count });
      }
      const name = stemFileName(mix.tracks, stem.trackId);
      const data = ownBytes(stem.bytes);
      const piece = stem.at === undefined ? { data } : { data, at: stem.at };
      const written = await call(() => bridge.gate.writeStem({ grantId, name, ...piece, more: stem.more }));
      if (!written.ok) throw new NotWritten(written.error);
    });
    this.state.dispatch({ type: 'saving', job, kind: 'export' });
    const finished = await call(() => bridge.gate.finishStems({ grantId }));
    if (!finished.ok) throw new NotWritten(finished.error);
    this.state.dispatch({ type: 'done' });
    this.lastPath = finished.value.path;
    notices.notify('info', {
      key: 'export.stemsSaved',
      params: { count: finished.value.files.length, path: finished.value.path },
    });
    reportClipping(this.deps, clipping, 'stems');
    void this.deps.refreshEntitlements();
  }

  /** "Try again" on a refusal: main is asked afresh, and an export or a master is started again. */
  async retry(refusal: Refusal): Promise<void> {
    await this.deps.refreshEntitlements();
    if (refusal.feature === 'export' || refusal.feature === 'master')
      await this.exportOrMaster(refusal.feature);
  }

  cancel(): void {
    const state = this.state.getState();
    if (state.phase === 'rendering') this.deps.audio.engine.cancel();
    else if (state.phase === 'report') this.discardMaster();
    else if (state.phase === 'choosing') this.cancelExport();
  }

  /** "Song - mix.wav": the name a render is offered under. */
  private suggestedName(suffix: string, format: ExportFormat): string {
    return `${this.baseName()} - ${suffix}.${fileExtension(format)}`.slice(-255);
  }

  /** The name files are suggested under: the song's, or the app's. */
  baseName(): string {
    const name = this.deps.mix.getState().present.name.trim();
    return name === '' ? 'Siberia Mix' : name;
  }

  /** Gives the render's reservation back to main (and so to the server): nothing is counted. */
  private async release(grantId: string): Promise<void> {
    await call(() => this.deps.bridge.gate.release({ grantId }));
    void this.deps.refreshEntitlements();
  }

  listen(side: Side): void {
    this.state.dispatch({ type: 'listen', side });
    this.abPlayer?.setSide(side);
  }

  /** Level-matched (the default) or as they are: the louder side's trim follows at once. */
  setMatched(matched: boolean): void {
    this.state.dispatch({ type: 'match', matched });
    this.abPlayer?.setTrims(this.trims());
  }

  /** The gain each side plays at: the loudness match of the report, or none. */
  private trims(): Record<Side, number> {
    const state = this.state.getState();
    if (state.phase !== 'report' || !state.matched) return { A: 0, B: 0 };
    return loudnessMatch(state.report.before.integratedLufs, state.report.after.integratedLufs).gainDb;
  }

  toggleAB(): void {
    const state = this.state.getState();
    if (state.phase !== 'report' || !this.masterBuffers) return;
    if (state.playing) {
      this.stopAB();
      return;
    }
    this.deps.audio.stop();
    const { context, out, resetMeter } = this.deps.audio.output();
    const { source } = this.masterBuffers;
    this.abPlayer = startAB(
      context,
      out,
      source,
      state.listening,
      this.trims(),
      () => this.stopAB(),
      () => {
        const ahead = this.abStage;
        this.abStage = null;
        // Made ahead for a desk context since renewed (sources were forgotten): it would be unheard.
        if (ahead?.desk === context) return ahead;
        ahead?.close();
        return this.newStage();
      },
    );
    void context.resume();
    resetMeter();
    this.state.dispatch({ type: 'playing', playing: true });
  }

  stopAB(): void {
    const played = this.abPlayer !== null;
    this.abPlayer?.stop();
    this.abPlayer = null;
    this.state.dispatch({ type: 'playing', playing: false });
    // The stage it played on is closed: the next Play gets one ready.
    if (played) this.prepareStage();
  }

  private newStage(): ABStage {
    const { context, out, abWorkletUrl } = this.deps.audio.output();
    return new ABStage(context, out, abWorkletUrl);
  }

  /** A stage for the next A/B, while a master with shared sides waits for Save or Discard. */
  private prepareStage(): void {
    if (this.abStage || this.masterBuffers?.source.kind !== 'shared') return;
    this.abStage = this.newStage();
  }

  private closeStage(): void {
    this.abStage?.close();
    this.abStage = null;
  }

  /** Save: main asks where, and the master the Worker keeps is encoded and written a piece at a time. */
  async saveMaster(): Promise<void> {
    const state = this.state.getState();
    const kept = this.masterBuffers;
    if (state.phase !== 'report' || !kept) return;
    this.masterBuffers = null;
    this.stopAB();
    this.closeStage();
    const { master, settings, sessionRate } = kept;
    const { job, grantId } = state;
    this.state.dispatch({ type: 'saving', job, kind: 'master' });
    try {
      await this.writeFile(job, grantId, 'master', settings.format, (onPiece) =>
        this.deps.audio.engine.saveMaster(master, settings, sessionRate, onPiece),
      );
    } catch (error) {
      if (this.job === job) await this.failed(grantId, error);
    } finally {
      this.deps.audio.engine.dropMaster(master);
    }
  }

  discardMaster(): void {
    const state = this.state.getState();
    const kept = this.masterBuffers;
    this.masterBuffers = null;
    this.stopAB();
    this.closeStage();
    if (kept) this.deps.audio.engine.dropMaster(kept.master);
    this.state.dispatch({ type: 'done' });
    if (state.phase !== 'report') return;
    void this.release(state.grantId);
    this.deps.notices.notify('info', { key: 'render.discarded' });
  }
}

/**
 * The bytes to send to main: a piece that fills its buffer as it is, a shorter view (a file's last
 * piece, in a recycled 4 MiB buffer) as a copy of its own, since IPC would carry the whole buffer.
 */
function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes : bytes.slice()) as Uint8Array<ArrayBuffer>;
}
