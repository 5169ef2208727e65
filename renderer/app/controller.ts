import type { SiberiaBridge } from '../../contracts/bridge';
import { call } from '../bridge';
import { type MixAction, type MixState, initialMix, mixReducer } from '../state/mix';
import {
  initialSession,
  type Modal,
  type SessionAction,
  type SessionState,
  sessionReducer,
} from '../state/session';
import { createStore, type Store } from '../state/store';
import { FIT, type TimelineView, type ViewAction, viewReducer, visibleWindow } from '../state/timeline-view';
import { AccountBilling } from './account-billing';
import { AudioSession } from './audio-session';
import { Autosaver } from './autosave';
import { Notices } from './notices';
import { ProjectFiles } from './project-files';
import { RenderFlow } from './render-flow';
import { songDuration } from './song';

/**
 * The desk's controller: it owns the two shared stores (the mix and the session), builds the parts
 * that act on them, and wires them together. Components read stores and call the parts; all decisions
 * live in the pure reducers and view functions of state/, and in main for what is gated.
 */
export class DeskController {
  readonly mix: Store<MixState, MixAction>;
  readonly session: Store<SessionState, SessionAction>;
  /** Which part of the song the timeline shows (zoom and scroll; not saved, not undoable). */
  readonly view: Store<TimelineView, ViewAction>;
  readonly notices: Notices;
  readonly audio: AudioSession;
  readonly renders: RenderFlow;
  readonly projects: ProjectFiles;
  readonly account: AccountBilling;
  private readonly autosaver: Autosaver;

  constructor(
    readonly bridge: SiberiaBridge,
    spawnEngine: () => Worker,
    spawnMeter: () => Worker,
    workletUrl: string,
    mixWorkletUrl: string,
    abWorkletUrl: string,
  ) {
    const mix = createStore(mixReducer, initialMix());
    const session = createStore(sessionReducer, initialSession());
    const notices = new Notices(session);
    this.mix = mix;
    this.session = session;
    this.view = createStore(viewReducer, FIT);
    this.notices = notices;
    this.audio = new AudioSession({
      bridge,
      mix,
      notices,
      spawnEngine,
      spawnMeter,
      workletUrl,
      mixWorkletUrl,
      abWorkletUrl,
      beforePlay: () => this.renders.stopAB(),
    });
    this.account = new AccountBilling({ bridge, session, notices });
    this.renders = new RenderFlow({
      bridge,
      mix,
      audio: this.audio,
      notices,
      refreshEntitlements: () => this.account.refreshEntitlements(),
    });
    this.projects = new ProjectFiles({
      bridge,
      mix,
      notices,
      audio: this.audio,
      stopPlayback: () => this.audio.stop(),
    });
    this.autosaver = new Autosaver((project) => bridge.project.autosave({ project }), 1500);
    mix.subscribe(() => {
      const project = mix.getState().present;
      this.audio.sync(project);
      this.autosaver.schedule(project);
    });
  }

  /** First paint needs only the locale; the rest arrives as the bridge answers. */
  async start(): Promise<void> {
    const b = this.bridge;
    const session = this.session;
    b.on('account.changed', (account) => session.dispatch({ type: 'account', account }));
    b.on('entitlements.changed', (entitlements) => session.dispatch({ type: 'entitlements', entitlements }));
    b.on('checkout.changed', (checkout) => session.dispatch({ type: 'checkout', checkout }));
    b.on('notice', (n) => {
      // Notices main has words for in the catalogues speak the musician's language; others as sent.
      const text = n.code === 'checkout_pending' ? this.notices.t('notice.checkoutPending') : n.message;
      session.dispatch({ type: 'notify', level: n.level, text });
    });
    const [info, account, entitlements, checkout, restored] = await Promise.all([
      call(() => b.app.getInfo()),
      call(() => b.account.getState()),
      call(() => b.entitlements.get()),
      call(() => b.billing.getCheckout()),
      call(() => b.project.restoreAutosave()),
    ]);
    if (info.ok) session.dispatch({ type: 'info', info: info.value });
    if (account.ok) session.dispatch({ type: 'account', account: account.value });
    if (entitlements.ok) session.dispatch({ type: 'entitlements', entitlements: entitlements.value });
    if (checkout.ok) session.dispatch({ type: 'checkout', checkout: checkout.value });
    if (restored.ok && restored.value && restored.value.project.tracks.length > 0) {
      const { project } = restored.value;
      this.autosaver.skip(project);
      this.mix.dispatch({ type: 'load', project });
      this.view.dispatch({ type: 'fit' });
      // The desk is usable at once; the kept audio decodes behind it.
      void this.audio.recallAudio(project.tracks).then((all) => {
        this.notices.notify('info', { key: all ? 'desk.restoredWithAudio' : 'desk.restored' });
      });
    }
  }

  /** Zooms the timeline by `factor` (the + and − keys): around the playhead when in view, else its middle. */
  zoomBy(factor: number): void {
    const durationSec = songDuration(this.mix.getState().present.tracks, this.audio.library.getState());
    const { startSec, spanSec } = visibleWindow(this.view.getState(), durationSec);
    const at = spanSec > 0 ? (this.audio.position() - startSec) / spanSec : 0.5;
    const anchor = at >= 0 && at <= 1 ? at : 0.5;
    this.view.dispatch({ type: 'zoom', factor, anchor, durationSec });
  }

  openModal(modal: Modal): void {
    this.session.dispatch({ type: 'openModal', modal });
    if (modal?.type === 'pricing') void this.account.loadPlans();
  }

  closeModal(): void {
    this.session.dispatch({ type: 'closeModal' });
  }

  dispose(): void {
    this.audio.dispose();
  }
}
