import type { BridgeError } from '../../contracts/bridge';
import { parseProjectFile } from '../../contracts/project';
import { call } from '../bridge';
import type { DeskBasics } from './desk-basics';

/** Save, save-as and open of project files. Main decides whether they are allowed; a refusal is shown as is. */
export class ProjectFiles {
  constructor(
    private readonly deps: DeskBasics & {
      /** Opening another project stops the one playing. */
      stopPlayback: () => void;
    },
  ) {}

  async save(saveAs: boolean): Promise<void> {
    const project = this.deps.mix.getState().present;
    const saved = await call(() => this.deps.bridge.project.save({ project, saveAs }));
    if (saved.ok)
      this.deps.notices.notify('info', { key: 'desk.savedTo', params: { path: saved.value.path } });
    else this.failed(saved.error);
  }

  async open(): Promise<void> {
    const { notices } = this.deps;
    const opened = await call(() => this.deps.bridge.project.open());
    if (!opened.ok) return this.failed(opened.error);
    // Main parsed it already; parsed again because the renderer trusts only the contract.
    const parsed = parseProjectFile(opened.value.project);
    if (!parsed.ok) {
      notices.notify('error', { key: 'desk.projectError', params: { message: parsed.message } });
      return;
    }
    this.deps.stopPlayback();
    this.deps.mix.dispatch({ type: 'load', project: parsed.project });
    notices.notify('info', { key: 'desk.opened', params: { path: opened.value.path } });
  }

  private failed(error: BridgeError): void {
    this.deps.notices.failed(error, (message) => ({ key: 'desk.projectError', params: { message } }));
  }
}
