import type { MasterReport } from '../../contracts/audio';
import type { ExportSettings } from '../../contracts/export';
import type { AudioFormatErrorCode } from '../../engine/index';
import type { Clipping, FromEngine, MixInput, Peaks, ToEngine } from './protocol';
import { postable, type SharedSource } from './shared-source';
export type EngineFailure = { code: AudioFormatErrorCode | 'internal' | 'cancelled'; message: string };
export class EngineError extends Error {
  constructor(readonly failure: EngineFailure) {
    super(failure.message);
    this.name = 'EngineError';
  }
}

type Pending = {
  resolve: (message: FromEngine) => void;
  /** An EngineError, or what `onHanded` failed with (passed on as it is). */
  reject: (error: Error) => void;
  onProgress?: (fraction: number) => void;
  /** Stems or the mix's pieces: each one as it comes; the Worker goes on once this settles. */
  onHanded?: (handed: Handed) => Promise<void>;
};

type Handed = Extract<FromEngine, { type: 'stem' | 'piece' }>;

/**
 * A piece of the encoded mix: bytes to add, or (with `at`) to write over the file there. The bytes
 * are lent: once the handler has settled, their memory goes back to the Worker (copy what you keep).
 */
export type Piece = { bytes: Uint8Array; at?: number };

/** A piece of one stem's file (see `Piece`, lent as it is); `more`: pieces of this stem follow. */
export type Stem = Omit<Extract<FromEngine, { type: 'stem' }>, 'type' | 'id'>;

/** A master: `id` names it for `saveMaster`/`dropMaster`; both sides for the A/B. */
export type MasterResult = {
  id: number;
  report: MasterReport;
  sampleRate: number;
  original: Float32Array[];
  mastered: Float32Array[];
};

/**
 * The desk's handle on the engine Worker. Renders report progress and can be cancelled: the Worker
 * is terminated (the engine cannot be interrupted mid-block from outside) and a fresh one is fed the
 * sources again from `resupply` the next time it is needed.
 */
export class EngineClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Masters the Worker keeps for Save (until dropMaster). */
  private readonly masters = new Set<number>();

  constructor(
    private readonly spawn: () => Worker,
    private readonly resupply: () => Iterable<{ trackId: string; source: SharedSource }>,
  ) {}

  /**
   * Decodes WAV/AIFF with the engine; the Worker keeps the source and the desk gets the same shared
   * memory (a copy of its own only when the page is not isolated), with its peaks.
   */
  decode(
    trackId: string,
    bytes: ArrayBuffer,
  ): Promise<{ source: SharedSource; peaks: Peaks; recovered?: { declaredFrames: number | null } }> {
    return this.request({ type: 'decode', id: 0, trackId, bytes }, [bytes]).then((m) => {
      if (m.type !== 'decoded') throw unexpected(m);
      return { source: m.source, peaks: m.peaks, recovered: m.recovered };
    });
  }

  /** Hands a source decoded elsewhere (Web Audio) to the Worker, shared; answers its peaks. */
  store(trackId: string, source: SharedSource): Promise<Peaks> {
    const { channels, transfer } = postable(source.channels);
    return this.request({ type: 'store', id: 0, trackId, source: { ...source, channels } }, transfer).then(
      (m) => {
        if (m.type !== 'stored') throw unexpected(m);
        return m.peaks;
      },
    );
  }

  /**
   * The desk let go of these tracks' sources: the Worker drops its references too. An idle Worker
   * (no request under way, no master kept) is stopped instead: an idle thread may not collect its
   * garbage for minutes, and the sources with it (bench/preview-release.ts); a fresh one is
   * resupplied, when next needed, only with what the desk still holds. No Worker running, there is
   * nothing to tell.
   */
  forget(trackIds: readonly string[]): void {
    if (trackIds.length === 0) return;
    if (this.pending.size === 0 && this.masters.size === 0) {
      this.worker?.terminate();
      this.worker = null;
      return;
    }
    this.worker?.postMessage({ type: 'forget', trackIds: [...trackIds] } satisfies ToEngine);
  }

  /**
   * The mix, encoded as the settings say (not stems: see `renderStems`), handed to `onPiece` a few
   * MiB at a time as it is encoded (which writes it); the Worker encodes more once `onPiece` has
   * settled, so neither side ever holds the whole file. A rejected `onPiece` stops the Worker and
   * fails the render.
   */
  render(
    mix: MixInput,
    settings: ExportSettings,
    onProgress: (fraction: number) => void,
    onPiece: (piece: Piece) => Promise<void>,
  ): Promise<{ size: number; clipping: Clipping }> {
    const message: ToEngine = { type: 'render', id: 0, mix, settings: { ...settings, stems: false } };
    return this.request(message, [], onProgress, pieceHandler(onPiece)).then((m) => {
      if (m.type !== 'rendered') throw unexpected(m);
      return { size: m.size, clipping: m.clipping };
    });
  }

  /**
   * Each stem, rendered and encoded in turn and handed to `onStem` a piece at a time (which writes
   * it); the Worker goes on only once `onStem` has settled. A rejected `onStem` stops the Worker and
   * fails the render.
   */
  renderStems(
    mix: MixInput,
    settings: ExportSettings,
    onProgress: (fraction: number) => void,
    onStem: (stem: Stem) => Promise<void>,
  ): Promise<{ clipping: Clipping }> {
    const message: ToEngine = { type: 'render', id: 0, mix, settings: { ...settings, stems: true } };
    const handed = (m: Handed) => {
      if (m.type !== 'stem') throw unexpected(m);
      return onStem(m);
    };
    return this.request(message, [], onProgress, handed).then((m) => {
      if (m.type !== 'stemsDone') throw unexpected(m);
      return { clipping: m.clipping };
    });
  }

  master(
    mix: MixInput,
    settings: ExportSettings,
    onProgress: (fraction: number) => void,
  ): Promise<MasterResult> {
    return this.request({ type: 'master', id: 0, mix, settings }, [], onProgress).then((m) => {
      if (m.type !== 'mastered') throw unexpected(m);
      const { id, report, sampleRate, original, mastered } = m;
      this.masters.add(id);
      return { id, report, sampleRate, original, mastered };
    });
  }

  /**
   * The master the Worker keeps, encoded as the settings say and handed to `onPiece` a piece at a
   * time, as `render` hands the mix. Fails when the Worker no longer holds it (it was restarted).
   */
  saveMaster(
    master: number,
    settings: ExportSettings,
    sessionRate: number,
    onPiece: (piece: Piece) => Promise<void>,
  ): Promise<{ size: number; clipping: Clipping }> {
    const message: ToEngine = { type: 'saveMaster', id: 0, master, settings, sessionRate };
    return this.request(message, [], undefined, pieceHandler(onPiece)).then((m) => {
      if (m.type !== 'rendered') throw unexpected(m);
      return { size: m.size, clipping: m.clipping };
    });
  }

  /** The master is discarded: the Worker lets it go (a restarted one holds none anyway). */
  dropMaster(master: number): void {
    this.masters.delete(master);
    this.worker?.postMessage({ type: 'dropMaster', master } satisfies ToEngine);
  }

  /** Stops whatever the Worker is doing; every pending request fails with `cancelled`. */
  cancel(): void {
    this.worker?.terminate();
    this.worker = null;
    this.masters.clear();
    for (const pending of this.pending.values()) {
      pending.reject(new EngineError({ code: 'cancelled', message: 'cancelled' }));
    }
    this.pending.clear();
  }

  dispose(): void {
    this.cancel();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.spawn();
    worker.onmessage = (event: MessageEvent<FromEngine>) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      for (const pending of this.pending.values()) {
        pending.reject(new EngineError({ code: 'internal', message: event.message || 'engine stopped' }));
      }
      this.pending.clear();
    };
    this.worker = worker;
    // A restarted Worker gets the very same shared sources again (copies only when not isolated).
    for (const { trackId, source } of this.resupply()) {
      const { channels, transfer } = postable(source.channels);
      const message: ToEngine = { type: 'store', id: 0, trackId, source: { ...source, channels } };
      worker.postMessage(message, transfer);
    }
    return worker;
  }

  private receive(message: FromEngine): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.fraction);
      return;
    }
    if (message.type === 'stem' || message.type === 'piece') {
      const id = message.id;
      const handed = pending.onHanded ?? (async () => {});
      // A handler that throws at once counts as one that failed.
      Promise.resolve()
        .then(() => handed(message))
        .then(
          () => {
            // Written: the piece's memory goes back for the Worker to fill again (see lentBuffer).
            const buffer = lentBuffer(message.bytes);
            const taken: ToEngine = buffer ? { type: 'taken', id, buffer } : { type: 'taken', id };
            this.worker?.postMessage(taken, buffer ? [buffer] : []);
          },
          (error: unknown) => {
            // It could not be written: nothing more is rendered, the render fails with why.
            this.pending.delete(id);
            this.cancel();
            pending.reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'failed')
      pending.reject(new EngineError({ code: message.code, message: message.message }));
    else pending.resolve(message);
  }

  private request(
    message: ToEngine,
    transfer: Transferable[],
    onProgress?: (fraction: number) => void,
    onHanded?: Pending['onHanded'],
  ): Promise<FromEngine> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, onHanded });
      worker.postMessage({ ...message, id }, transfer);
    });
  }
}

/** Hands the pieces of a file on to `onPiece` (anything else posted is a mistake). */
function pieceHandler(onPiece: (piece: Piece) => Promise<void>) {
  return (m: Handed) => {
    if (m.type !== 'piece') throw unexpected(m);
    return onPiece(m.at === undefined ? { bytes: m.bytes } : { bytes: m.bytes, at: m.at });
  };
}

/**
 * The buffer a piece came in, when it can go back to the Worker: an ordinary one still attached (not
 * shared memory, not already handed elsewhere). A piece handler must not keep the bytes it is given
 * once it has settled: they are the Worker's again.
 */
function lentBuffer(bytes: Uint8Array): ArrayBuffer | undefined {
  const { buffer } = bytes;
  if (Object.prototype.toString.call(buffer) !== '[object ArrayBuffer]') return undefined;
  return buffer.byteLength > 0 ? (buffer as ArrayBuffer) : undefined;
}

function unexpected(message: FromEngine): EngineError {
  return new EngineError({ code: 'internal', message: `unexpected engine answer ${message.type}` });
}
