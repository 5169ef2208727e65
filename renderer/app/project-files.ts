import type { BridgeError } from '../../contracts/bridge';
import { parseProjectFile, type ProjectFile } from '../../contracts/project';
import { call } from '../bridge';
import { createStore, type Store } from '../state/store';
import type { AudioSession } from './audio-session';
import type { DeskBasics } from './desk-basics';

/**
 * Save, save-as and open of project folders (the project file and a copy of its audio, which main
 * writes and reads). Main decides whether they are allowed; a refusal is shown as is. The desk never
 * names a path: it asks main for the audio of a track by its id, and to locate a missing one.
 */
export class ProjectFiles {
  /**
   * The tracks of the project main opened or saved: those main can look for ("Locate…") when
   * their audio is missing. A track of an unsaved session has no project to be found from.
   */
  readonly locatable: Store<ReadonlySet<string>, ReadonlySet<string>>;

  constructor(
    private readonly deps: DeskBasics & {
      audio: Pick<AudioSession, 'loadProjectAudio' | 'hasAudio' | 'clearAudio'>;
      /** Opening another project stops the one playing. */
      stopPlayback: () => void;
    },
  ) {
    this.locatable = createStore((_s: ReadonlySet<string>, a: ReadonlySet<string>) => a, new Set<string>());
  }

  async save(saveAs: boolean): Promise<void> {
    const project = this.deps.mix.getState().present;
    const saved = await call(() => this.deps.bridge.project.save({ project, saveAs }));
    if (!saved.ok) return this.failed(saved.error);
    this.locatable.dispatch(new Set(project.tracks.map((t) => t.id)));
    const { path, missing } = saved.value;
    if (missing.length === 0) this.deps.notices.notify('info', { key: 'desk.savedTo', params: { path } });
    else
      this.deps.notices.notify('warning', {
        key: 'desk.savedMissing',
        params: { path, names: this.names(project, missing) },
      });
  }

  async open(): Promise<void> {
    const { notices, audio } = this.deps;
    const opened = await call(() => this.deps.bridge.project.open());
    if (!opened.ok) return this.failed(opened.error);
    // Main parsed it already; parsed again because the renderer trusts only the contract.
    const parsed = parseProjectFile(opened.value.project);
    if (!parsed.ok) {
      notices.notify('error', { key: 'desk.projectError', params: { message: parsed.message } });
      return;
    }
    const { project } = parsed;
    this.deps.stopPlayback();
    audio.clearAudio();
    this.deps.mix.dispatch({ type: 'load', project });
    this.locatable.dispatch(new Set(project.tracks.map((t) => t.id)));
    const missing = new Set(opened.value.missing);
    await audio.loadProjectAudio(project.tracks.filter((t) => !missing.has(t.id)).map((t) => t.id));
    const without = project.tracks.filter((t) => !audio.hasAudio(t.id)).map((t) => t.id);
    const path = opened.value.path;
    if (without.length === 0) notices.notify('info', { key: 'desk.opened', params: { path } });
    else
      notices.notify('warning', {
        key: 'desk.openedMissing',
        params: { path, names: this.names(project, without) },
      });
  }

  /** "Locate…" on a track without audio: main asks for the file and relinks its folder's siblings. */
  async locate(trackId: string): Promise<void> {
    const located = await call(() => this.deps.bridge.project.locateAudio({ trackId }));
    if (!located.ok) return this.failed(located.error);
    const loaded = await this.deps.audio.loadProjectAudio(located.value.relinked);
    if (loaded.length > 0)
      this.deps.notices.notify('info', {
        key: 'desk.relinked',
        params: { names: this.names(this.deps.mix.getState().present, loaded) },
      });
  }

  private names(project: ProjectFile, ids: readonly string[]): string {
    const byId = new Map(project.tracks.map((t) => [t.id, t.name || t.source.path]));
    return ids.map((id) => byId.get(id) ?? id).join(', ');
  }

  private failed(error: BridgeError): void {
    // Main's words name the file and what is wrong with it; they are shown as it said them.
    if (error.code === 'refused' || error.code === 'cancelled') this.deps.notices.failed(error);
    else this.deps.notices.notify('error', { key: 'desk.projectError', params: { message: error.message } });
  }
}
