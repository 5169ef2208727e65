import type { BridgeEventName, BridgeEventPayload } from '../../contracts/bridge';

/**
 * The small interfaces services take instead of Electron objects, so every service runs under Node.
 * index.ts backs them with Electron; the test host and the tests back them with Node or fakes.
 */

/** A persistent key-value store: the settings file through `conf` (settings-file.ts), in the app and the tests. */
export type KeyValueStore = {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
};

export type Clock = { nowMs(): number };
export const systemClock: Clock = { nowMs: () => Date.now() };

/** Timers behind a port so tests can fire "in an hour" without waiting an hour. */
export type Scheduler = {
  after(ms: number, run: () => void): () => void;
  every(ms: number, run: () => void): () => void;
};
export const systemScheduler: Scheduler = {
  after(ms, run) {
    const t = setTimeout(run, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
  every(ms, run) {
    const t = setInterval(run, ms);
    t.unref?.();
    return () => clearInterval(t);
  },
};

export type Logger = {
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
};
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Pushes a bridge event to the renderer (webContents.send in the app, page.evaluate in the host). */
export type EventSink = <E extends BridgeEventName>(event: E, payload: BridgeEventPayload<E>) => void;

/** shell.openExternal. */
export type ExternalOpener = (url: string) => Promise<void>;

/** What a save dialog offers to write: its filter's name and extensions (no dot). */
export type FileFilter = { name: string; extensions: string[] };

/** dialog.showSaveDialog / showOpenDialog: an absolute path, or null when the user cancels. */
export type Dialogs = {
  save(suggestedName: string, kind: 'render' | 'project', filter?: FileFilter): Promise<string | null>;
  /** A project file (the default), or an audio file to relink a track whose audio is missing. */
  open(kind?: 'project' | 'audio'): Promise<string | null>;
  /** A folder to write into (stems): an existing folder's absolute path, or null on Cancel. */
  folder(suggestedName: string): Promise<string | null>;
};

/** A file being written piece by piece under a hidden name beside its place (see `Files.begin`). */
export type PartialFile = {
  /** Adds bytes at the end; answers the size after. */
  append(data: Uint8Array): Promise<number>;
  /** Writes over bytes already written (never past the end); answers the size. */
  writeAt(offset: number, data: Uint8Array): Promise<number>;
  /** On disk, then under its final name (an existing file there is replaced, as the dialog asked). */
  commit(): Promise<void>;
  /** Closed and gone; safe to call more than once, or after a failed commit. */
  discard(): Promise<void>;
};

export type Files = {
  write(path: string, data: Uint8Array): Promise<void>;
  /** Opens a new hidden file beside `path` that becomes `path` on commit: whole, or not there. */
  begin(path: string): Promise<PartialFile>;
  read(path: string): Promise<Uint8Array<ArrayBuffer>>;
  /** Gone afterwards; a missing file is no error. */
  remove(path: string): Promise<void>;
  /** The names in a folder; none when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** Creates a folder (and its parents); an existing one is no error. */
  makeFolder(dir: string): Promise<void>;
  /** Moves a folder to a name that must not exist yet (fails rather than merge or replace). */
  renameFolder(from: string, to: string): Promise<void>;
  /** A folder and everything in it gone; a missing one is no error. */
  removeFolder(dir: string): Promise<void>;
};
