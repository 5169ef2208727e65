import path from 'node:path';
import { Autosave, SessionAudioId } from '../../../contracts/bridge';
import { type ProjectFile, parseProjectFile } from '../../../contracts/project';
import { BridgeFailure } from '../bridge-failure';
import type { Clock, Dialogs, Files, Logger } from '../ports';
import type { Gate } from './gate';
import { safeFileName } from './safe-file-name';
import type { Settings } from './settings';

export const PROJECT_EXTENSION = '.siberia';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Project files. Save, save-as and open are a Pro feature, decided by the gate before any dialog; the
 * autosave of the open session is kept for everyone, so a free user loses no work either.
 */
export class Projects {
  private currentPath: string | null = null;

  constructor(
    private readonly deps: {
      gate: Pick<Gate, 'requireFeature'>;
      settings: Settings;
      dialogs: Dialogs;
      files: Files;
      autosavePath: string;
      /** Where the open session's audio is kept, one file per track id. */
      sessionAudioDir: string;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async save(input: { project: ProjectFile; saveAs: boolean }): Promise<{ path: string }> {
    await this.deps.gate.requireFeature('project_save');
    let target = input.saveAs ? null : this.currentPath;
    if (!target) {
      const name = safeFileName(`${input.project.name || 'Untitled'}${PROJECT_EXTENSION}`);
      target = await this.deps.dialogs.save(name, 'project');
      if (!target) throw new BridgeFailure('cancelled', 'Saving was cancelled.');
      if (!target.endsWith(PROJECT_EXTENSION)) target += PROJECT_EXTENSION;
    }
    await this.deps.files.write(target, encoder.encode(`${JSON.stringify(input.project, null, 2)}\n`));
    this.currentPath = target;
    this.deps.settings.addRecentProject(target);
    return { path: target };
  }

  async open(): Promise<{ path: string; project: ProjectFile }> {
    await this.deps.gate.requireFeature('project_save');
    const target = await this.deps.dialogs.open();
    if (!target) throw new BridgeFailure('cancelled', 'Opening was cancelled.');
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(await this.deps.files.read(target)));
    } catch {
      throw new BridgeFailure('validation_error', `${path.basename(target)} is not a Siberia Mix project.`);
    }
    const parsed = parseProjectFile(json);
    if (!parsed.ok) throw new BridgeFailure('validation_error', parsed.message);
    this.currentPath = target;
    this.deps.settings.addRecentProject(target);
    return { path: target, project: parsed.project };
  }

  async autosave(input: { project: ProjectFile }): Promise<{ savedAt: string }> {
    const savedAt = new Date(this.deps.clock.nowMs()).toISOString();
    const body: Autosave = { savedAt, project: input.project };
    await this.deps.files.write(this.deps.autosavePath, encoder.encode(JSON.stringify(body)));
    // Audio of tracks no longer in the session is not kept: the folder holds one session, not a history.
    const live = new Set(input.project.tracks.map((t) => t.id));
    for (const name of await this.deps.files.list(this.deps.sessionAudioDir)) {
      if (!live.has(name)) await this.deps.files.remove(path.join(this.deps.sessionAudioDir, name));
    }
    return { savedAt };
  }

  /** Keeps a track's audio (the bytes of its file) so that a restored session plays again. */
  async keepAudio(input: { trackId: string; data: Uint8Array }): Promise<{ kept: true }> {
    await this.deps.files.write(this.audioPath(input.trackId), input.data);
    return { kept: true };
  }

  async recallAudio(input: {
    trackId: string;
  }): Promise<{ trackId: string; data: Uint8Array<ArrayBuffer> } | null> {
    try {
      return { trackId: input.trackId, data: await this.deps.files.read(this.audioPath(input.trackId)) };
    } catch {
      return null;
    }
  }

  private audioPath(trackId: string): string {
    // The contract allows letters, digits, - and _ only; checked again here since it names a file.
    if (!SessionAudioId.safeParse(trackId).success)
      throw new BridgeFailure('validation_error', 'Not a track id.');
    return path.join(this.deps.sessionAudioDir, trackId);
  }

  async restoreAutosave(): Promise<Autosave | null> {
    let raw: Uint8Array;
    try {
      raw = await this.deps.files.read(this.deps.autosavePath);
    } catch {
      return null;
    }
    try {
      const parsed = Autosave.safeParse(JSON.parse(decoder.decode(raw)));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through: a damaged autosave is reported and ignored
    }
    this.deps.logger.warn('autosave unreadable; ignored', { path: this.deps.autosavePath });
    return null;
  }
}
