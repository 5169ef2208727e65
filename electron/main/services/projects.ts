import { createHash } from 'node:crypto';
import path from 'node:path';
import { Autosave, MAX_SESSION_AUDIO_BYTES, SessionAudioId } from '../../../contracts/bridge';
import { type ProjectFile, parseProjectFile } from '../../../contracts/project';
import { BridgeFailure } from '../bridge-failure';
import type { Clock, Dialogs, Files, Logger } from '../ports';
import type { Gate } from './gate';
import {
  AUDIO_FOLDER,
  audioNameOf,
  audioPath,
  fileNameOf,
  findName,
  looksLikeAudioBytes,
  partsOf,
  projectLocation,
  SEARCH_FOLDERS,
  uniqueName,
} from './project-folder';
import { safeFileName } from './safe-file-name';
import type { Settings } from './settings';

export const PROJECT_EXTENSION = '.siberia';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const sourcesOf = (project: ProjectFile) => new Map(project.tracks.map((t) => [t.id, t.source.path]));

/** A write that failed, in words: a full disk or a folder one may not write to is said as such. */
function writeFailure(e: unknown, place: string): BridgeFailure {
  if (e instanceof BridgeFailure) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  const where = path.basename(place);
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new BridgeFailure(
      'internal',
      `The disk is full: the project was not saved (${where}). The saved one is unchanged.`,
    );
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new BridgeFailure('internal', `${where} cannot be written here: the project was not saved.`);
  return new BridgeFailure('internal', `The project could not be saved (${code ?? 'write failed'}).`);
}

/**
 * Project files. Save, save-as and open are a Pro feature, decided by the gate before any dialog; the
 * autosave of the open session is kept for everyone, so a free user loses no work either.
 */
export class Projects {
  private currentPath: string | null = null;
  /**
   * The audio of the project last opened or saved: each track's file (absolute), the tracks still
   * without one, and each track's source path as the project gives it (to relink by file name).
   */
  private opened: { linked: Map<string, string>; missing: Set<string>; sources: Map<string, string> } = {
    linked: new Map(),
    missing: new Set(),
    sources: new Map(),
  };

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

  async save(input: { project: ProjectFile; saveAs: boolean }): Promise<{ path: string; missing: string[] }> {
    await this.deps.gate.requireFeature('project_save');
    let chosen = input.saveAs ? null : this.currentPath;
    if (!chosen) {
      const name = safeFileName(`${input.project.name || 'Untitled'}${PROJECT_EXTENSION}`);
      chosen = await this.deps.dialogs.save(name, 'project');
      if (!chosen) throw new BridgeFailure('cancelled', 'Saving was cancelled.');
      if (!chosen.endsWith(PROJECT_EXTENSION)) chosen += PROJECT_EXTENSION;
    }
    // An older project saved as a lone file becomes a folder project beside it; the old file stays.
    const { folder, file } = projectLocation(chosen, PROJECT_EXTENSION);
    const { project, written, missing, linked } = await this.copyAudio(input.project, folder);
    try {
      await this.deps.files.write(file, encoder.encode(`${JSON.stringify(project, null, 2)}\n`));
    } catch (e) {
      // The project file is the last thing written: without it, the copies made now serve nothing.
      for (const copy of written) await this.deps.files.remove(copy).catch(() => {});
      throw writeFailure(e, file);
    }
    this.currentPath = file;
    this.opened = { linked, missing: new Set(missing), sources: sourcesOf(input.project) };
    this.deps.settings.addRecentProject(file);
    return { path: file, missing };
  }

  /**
   * Copies every track's source into the folder's Audio/ (each source once, however many tracks
   * share it) and answers the project with relative paths. A file already there with the same bytes
   * is not written again; one with other bytes is never overwritten (the saved project may still
   * use it) — the new source takes a free name instead. On failure, what this call wrote is removed.
   */
  private async copyAudio(
    input: ProjectFile,
    folder: string,
  ): Promise<{ project: ProjectFile; written: string[]; missing: string[]; linked: Map<string, string> }> {
    const audioDir = path.join(folder, AUDIO_FOLDER);
    const existing = await this.deps.files.list(audioDir);
    const taken = new Set(existing);
    const byHash = new Map<string, string>();
    const names = new Map<string, string>();
    const linked = new Map<string, string>();
    const missing: string[] = [];
    const written: string[] = [];
    try {
      for (const track of input.tracks) {
        const source = await this.sourceOf(track.id, track.source.path);
        if (!source) {
          missing.push(track.id);
          continue;
        }
        const hash = createHash('sha256').update(source.data).digest('hex');
        let name = byHash.get(hash);
        if (!name) {
          name = await this.placeAudio(audioDir, source, track.source.path, existing, taken, written);
          byHash.set(hash, name);
        }
        names.set(track.id, name);
        linked.set(track.id, path.join(audioDir, name));
      }
    } catch (e) {
      for (const copy of written) await this.deps.files.remove(copy).catch(() => {});
      throw writeFailure(e, audioDir);
    }
    const tracks = input.tracks.map((t) => {
      const name = names.get(t.id);
      return name ? { ...t, source: { ...t.source, path: audioPath(name) } } : t;
    });
    return { project: { ...input, tracks }, written, missing, linked };
  }

  /** The name in Audio/ that holds these bytes: one already there, or a new copy under a free name. */
  private async placeAudio(
    audioDir: string,
    source: { data: Uint8Array; name: string },
    sourcePath: string,
    existing: readonly string[],
    taken: Set<string>,
    written: string[],
  ): Promise<string> {
    for (const candidate of [audioNameOf(sourcePath), source.name]) {
      const there = candidate ? findName(existing, candidate) : null;
      if (there && (await this.sameBytes(path.join(audioDir, there), source.data))) return there;
    }
    const name = uniqueName(source.name, taken);
    taken.add(name);
    const target = path.join(audioDir, name);
    await this.deps.files.write(target, source.data);
    written.push(target);
    return name;
  }

  private async sameBytes(file: string, data: Uint8Array): Promise<boolean> {
    try {
      const there = await this.deps.files.read(file);
      return there.byteLength === data.byteLength && Buffer.from(there).equals(Buffer.from(data));
    } catch {
      return false;
    }
  }

  /**
   * A track's source bytes and file name: what the session keeps for it (imported, or loaded from
   * the opened project), else the file the opened project links it to; null when there is neither.
   */
  private async sourceOf(
    trackId: string,
    sourcePath: string,
  ): Promise<{ data: Uint8Array; name: string } | null> {
    const link = this.opened.linked.get(trackId);
    const name = link ? path.basename(link) : fileNameOf(sourcePath) || 'audio';
    if (SessionAudioId.safeParse(trackId).success) {
      try {
        return { data: await this.deps.files.read(this.audioPath(trackId)), name };
      } catch {
        // not kept: the linked file, if any
      }
    }
    if (!link) return null;
    try {
      const data = await this.deps.files.read(link);
      // A project file names any path it likes: only audio is ever copied into a project.
      return looksLikeAudioBytes(data.subarray(0, 16)) ? { data, name } : null;
    } catch {
      return null;
    }
  }

  async open(): Promise<{ path: string; project: ProjectFile; missing: string[] }> {
    await this.deps.gate.requireFeature('project_save');
    const target = await this.deps.dialogs.open('project');
    if (!target) throw new BridgeFailure('cancelled', 'Opening was cancelled.');
    let raw: Uint8Array;
    try {
      raw = await this.deps.files.read(target);
    } catch {
      throw new BridgeFailure('not_found', `${path.basename(target)} cannot be read (moved, or not there).`);
    }
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(raw));
    } catch {
      throw new BridgeFailure('validation_error', `${path.basename(target)} is not a Siberia Mix project.`);
    }
    const parsed = parseProjectFile(json);
    if (!parsed.ok) throw new BridgeFailure('validation_error', parsed.message);
    const linked = new Map<string, string>();
    const missing = new Set<string>();
    for (const track of parsed.project.tracks) {
      const found = await this.findAudio(path.dirname(target), track.source.path);
      if (found) linked.set(track.id, found);
      else missing.add(track.id);
    }
    // A kept copy under one of these ids is from another session: the project's own files win.
    for (const track of parsed.project.tracks) await this.forget(track.id);
    this.currentPath = target;
    this.opened = { linked, missing, sources: sourcesOf(parsed.project) };
    this.deps.settings.addRecentProject(target);
    return { path: target, project: parsed.project, missing: [...missing] };
  }

  /**
   * Where a track's file is: the path the project gives (relative to the project file, or absolute),
   * else a file of that name beside the project or in its Audio or stems folder, so that an older
   * project that stored bare names opens next to its stems on any machine.
   */
  private async findAudio(projectDir: string, sourcePath: string): Promise<string | null> {
    const given = path.isAbsolute(sourcePath) ? sourcePath : path.join(projectDir, ...partsOf(sourcePath));
    const name = fileNameOf(sourcePath);
    if (!name) return null;
    const places = [given, ...SEARCH_FOLDERS.map((f) => path.join(projectDir, f, name))];
    for (const place of places) {
      const there = findName(await this.deps.files.list(path.dirname(place)), path.basename(place));
      if (there) return path.join(path.dirname(place), there);
    }
    return null;
  }

  /** A found track's audio, handed to the desk; kept beside the autosave, as an import is. */
  async loadAudio(input: {
    trackId: string;
  }): Promise<{ trackId: string; name: string; data: Uint8Array<ArrayBuffer> }> {
    const link = this.opened.linked.get(input.trackId);
    if (!link) throw new BridgeFailure('not_found', 'This track’s audio has not been found yet: locate it.');
    let data: Uint8Array<ArrayBuffer>;
    try {
      data = await this.deps.files.read(link);
    } catch {
      this.opened.linked.delete(input.trackId);
      this.opened.missing.add(input.trackId);
      throw new BridgeFailure('not_found', `${path.basename(link)} can no longer be read.`);
    }
    // A project file names any path it likes (a shared one could name a key or a password file):
    // the desk is handed audio only.
    if (!looksLikeAudioBytes(data.subarray(0, 16))) {
      this.opened.linked.delete(input.trackId);
      this.opened.missing.add(input.trackId);
      throw new BridgeFailure('validation_error', `${path.basename(link)} is not an audio file.`);
    }
    if (data.byteLength > MAX_SESSION_AUDIO_BYTES)
      throw new BridgeFailure('payload_too_large', `${path.basename(link)} is over 1 GiB: too big to load.`);
    await this.deps.files.write(this.audioPath(input.trackId), data);
    return { trackId: input.trackId, name: path.basename(link), data };
  }

  /**
   * "Locate…": the musician points at a track's file; every other missing track whose file
   * (by name) is in that same folder is relinked too. A file that is not audio changes nothing.
   */
  async locateAudio(input: { trackId: string }): Promise<{ relinked: string[] }> {
    await this.deps.gate.requireFeature('project_save');
    // Any track of the project may be pointed at another file (its own may be damaged); the
    // siblings relinked with it are only those still missing.
    if (!this.opened.sources.has(input.trackId))
      throw new BridgeFailure('not_found', 'This track is not in the project that was opened or saved.');
    const chosen = await this.deps.dialogs.open('audio');
    if (!chosen) throw new BridgeFailure('cancelled', 'Locating was cancelled.');
    let head: Uint8Array;
    try {
      head = (await this.deps.files.read(chosen)).subarray(0, 16);
    } catch {
      throw new BridgeFailure('not_found', `${path.basename(chosen)} cannot be read.`);
    }
    if (!looksLikeAudioBytes(head))
      throw new BridgeFailure('validation_error', `${path.basename(chosen)} is not an audio file.`);
    const relinked = [input.trackId];
    await this.forget(input.trackId);
    this.opened.linked.set(input.trackId, chosen);
    this.opened.missing.delete(input.trackId);
    const folder = path.dirname(chosen);
    const names = await this.deps.files.list(folder);
    for (const id of [...this.opened.missing]) {
      const there = findName(names, fileNameOf(this.opened.sources.get(id) ?? ''));
      if (!there) continue;
      this.opened.linked.set(id, path.join(folder, there));
      this.opened.missing.delete(id);
      await this.forget(id);
      relinked.push(id);
    }
    return { relinked };
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

  /** Drops the kept copy of a track's audio: its file (opened, located) is now the one to use. */
  private async forget(trackId: string): Promise<void> {
    if (SessionAudioId.safeParse(trackId).success) await this.deps.files.remove(this.audioPath(trackId));
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
