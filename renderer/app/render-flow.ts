import type { UsageKind } from '../../contracts/plan';
import type { Refusal } from '../../contracts/refusal';
import { ABPlayer, type Side } from '../audio/ab-player';
import { EngineError } from '../audio/engine-client';
import { toBuffer } from '../audio/to-buffer';
import { call } from '../bridge';
import { type RenderAction, type RenderState, renderReducer } from '../state/render';
import { createStore, type Store } from '../state/store';
import type { AudioSession } from './audio-session';
import type { DeskBasics } from './desk-basics';

/**
 * An export or a master: main's grant first, then the render in the engine Worker with its progress,
 * then (a master) the A/B comparison and the musician's save or discard, then main writes the file.
 * Main decides; a refusal is shown as it answered. The grant is a reservation: main counts it once
 * the file is written, and every other ending (Cancel, an error, a discarded master) gives it back,
 * so the musician is told nothing was counted.
 */
export class RenderFlow {
  readonly state: Store<RenderState, RenderAction>;
  private job = 0;
  private abPlayer: ABPlayer | null = null;
  private masterBuffers: (Record<Side, AudioBuffer> & { wav: Uint8Array }) | null = null;

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
    const grantId = grant.value.id;
    const job = ++this.job;
    this.state.dispatch({ type: 'start', kind, job, grantId });
    const onProgress = (fraction: number) => this.state.dispatch({ type: 'progress', job, fraction });
    try {
      if (kind === 'export') {
        const wav = await audio.engine.render(audio.mixInput(), onProgress);
        await this.saveRender(job, 'export', grantId, wav, 'mix.wav');
      } else {
        const result = await audio.engine.master(audio.mixInput(), onProgress);
        const { context } = audio.output();
        this.masterBuffers = {
          A: toBuffer(context, { sampleRate: result.sampleRate, channels: result.original }),
          B: toBuffer(context, { sampleRate: result.sampleRate, channels: result.mastered }),
          wav: result.wav,
        };
        this.state.dispatch({ type: 'report', job, report: result.report });
      }
    } catch (error) {
      if (this.job !== job) return;
      this.state.dispatch({ type: 'done' });
      await this.release(grantId);
      if (error instanceof EngineError && error.failure.code === 'cancelled') {
        notices.notify('info', { key: 'render.cancelled' });
      } else {
        const message = String((error as Error)?.message ?? error);
        notices.notify('error', { key: 'render.failed', params: { message } });
      }
    }
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
  }

  private baseName(): string {
    const name = this.deps.mix.getState().present.name.trim();
    return name === '' ? 'Siberia Mix' : name;
  }

  private async saveRender(job: number, kind: UsageKind, grantId: string, wav: Uint8Array, suffix: string) {
    this.state.dispatch({ type: 'saving', job, kind });
    const suggestedName = `${this.baseName()} - ${suffix}`.slice(0, 255);
    const saved = await call(() =>
      this.deps.bridge.gate.saveRender({
        grantId,
        kind,
        data: wav as Uint8Array<ArrayBuffer>,
        suggestedName,
      }),
    );
    this.state.dispatch({ type: 'done' });
    // A cancelled dialog or a failed write: main has given the reservation back already.
    if (saved.ok)
      this.deps.notices.notify('info', { key: 'desk.savedTo', params: { path: saved.value.path } });
    else if (saved.error.code === 'cancelled')
      this.deps.notices.notify('info', { key: 'render.saveCancelled' });
    else
      this.deps.notices.failed(saved.error, (message) => ({ key: 'render.saveFailed', params: { message } }));
    void this.deps.refreshEntitlements();
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

  toggleAB(): void {
    const state = this.state.getState();
    if (state.phase !== 'report' || !this.masterBuffers) return;
    if (state.playing) {
      this.stopAB();
      return;
    }
    this.deps.audio.stop();
    const { context, out, resetMeter } = this.deps.audio.output();
    this.abPlayer = new ABPlayer(context, out, this.masterBuffers, state.listening, () => this.stopAB());
    void context.resume();
    resetMeter();
    this.state.dispatch({ type: 'playing', playing: true });
  }

  stopAB(): void {
    this.abPlayer?.stop();
    this.abPlayer = null;
    this.state.dispatch({ type: 'playing', playing: false });
  }

  async saveMaster(): Promise<void> {
    const state = this.state.getState();
    if (state.phase !== 'report' || !this.masterBuffers) return;
    this.stopAB();
    const wav = this.masterBuffers.wav;
    this.masterBuffers = null;
    await this.saveRender(state.job, 'master', state.grantId, wav, 'master.wav');
  }

  discardMaster(): void {
    const state = this.state.getState();
    this.stopAB();
    this.masterBuffers = null;
    this.state.dispatch({ type: 'done' });
    if (state.phase !== 'report') return;
    void this.release(state.grantId);
    this.deps.notices.notify('info', { key: 'render.discarded' });
  }
}
