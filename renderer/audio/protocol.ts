import type { MasterReport } from '../../contracts/audio';
import type { ExportSettings } from '../../contracts/export';
import type { MasterSettings, ReverbBusSettings, Track } from '../../contracts/project';
import type { AudioFormatErrorCode } from '../../engine/index';
import type { ABSides, Side } from './ab-mix';
import type { PeakPyramid } from './peak-pyramid';
import type { SharedSource, SourceChannel } from './shared-source';

/**
 * Messages between the desk and the engine Worker. Sources, and the master's two sides, travel as
 * shared views (the same memory on both sides, see shared-source.ts); encoded files as pieces.
 */
/** A source's waveform: its peak pyramid (peak-pyramid.ts), built once in the Worker. */
export type Peaks = PeakPyramid;
/** The session as the engine mixes it; `reverb` is the project's bus (absent: no bus). */
export type MixInput = {
  tracks: Track[];
  master: MasterSettings;
  reverb?: ReverbBusSettings;
  sampleRate: number;
};

export type ToEngine =
  | { type: 'decode'; id: number; trackId: string; bytes: ArrayBuffer }
  | { type: 'store'; id: number; trackId: string; source: SharedSource }
  /** The desk let go of these tracks' sources (deleted for good): the Worker drops them too. */
  | { type: 'forget'; trackIds: string[] }
  /**
   * The mix (or, with `settings.stems`, each stem in turn) rendered and encoded as the settings say,
   * posted as it is encoded: the mix in pieces, the stems one file at a time.
   */
  | { type: 'render'; id: number; mix: MixInput; settings: ExportSettings }
  /**
   * The desk has written the stem's or the mix's piece the Worker posted: the Worker goes on.
   * `buffer`: that piece's memory, transferred back for the Worker to fill with a later piece.
   */
  | { type: 'taken'; id: number; buffer?: ArrayBuffer }
  /** The one-click master: the report and both sides for the A/B; the Worker keeps the master. */
  | { type: 'master'; id: number; mix: MixInput; settings: ExportSettings }
  /**
   * The master the Worker keeps (`master`: the id of its request), encoded as the settings say and
   * posted in pieces as the mix is (`piece`, then `rendered`).
   */
  | { type: 'saveMaster'; id: number; master: number; settings: ExportSettings; sessionRate: number }
  /** The musician discarded that master (or another replaced it): the Worker lets it go. */
  | { type: 'dropMaster'; master: number };

export type Clipping = { samples: number; peak: number };

export type FromEngine =
  | {
      type: 'decoded';
      id: number;
      source: SharedSource;
      peaks: Peaks;
      /** The file's sizes were not believed: the frames it claimed (null: none given). */
      recovered?: { declaredFrames: number | null };
    }
  | { type: 'stored'; id: number; peaks: Peaks }
  | { type: 'progress'; id: number; fraction: number }
  /**
   * A piece of the encoded mix, in order; with `at`, bytes to write over the file there instead (the
   * header, completed at the end). The Worker waits for `taken` before it encodes more.
   */
  | { type: 'piece'; id: number; bytes: Uint8Array; at?: number }
  /** Every piece of the mix was posted and taken: the file's size, and what clipped in it. */
  | { type: 'rendered'; id: number; size: number; clipping: Clipping }
  /**
   * A piece of one stem's file as it is encoded (as `piece` for the mix); `more`: pieces of this
   * stem follow, else the stem is whole. The Worker waits for `taken` before it goes on.
   */
  | {
      type: 'stem';
      id: number;
      trackId: string;
      index: number;
      count: number;
      bytes: Uint8Array;
      at?: number;
      more: boolean;
    }
  /** Every stem was posted and taken. */
  | { type: 'stemsDone'; id: number; clipping: Clipping }
  /**
   * The master and the mix it was made from, for the A/B. Cross-origin isolated, both are views of
   * shared memory: `mastered` is the very master the Worker keeps for Save, `original` memory the
   * Worker lets go of at once (the page's views then hold it alone). Not isolated, they are copies,
   * transferred.
   */
  | {
      type: 'mastered';
      id: number;
      report: MasterReport;
      sampleRate: number;
      original: Float32Array[];
      mastered: Float32Array[];
    }
  | { type: 'failed'; id: number; code: AudioFormatErrorCode | 'internal'; message: string };

export type MeterReading = { momentary: number | null; shortTerm: number | null; truePeak: number | null };

export type ToMeter = { type: 'connect'; port: MessagePort; sampleRate: number } | { type: 'reset' };
export type FromMeter = { type: 'reading'; reading: MeterReading };

/**
 * Messages to and from the preview's mix worklet (mix.worklet.ts). Sources are sent once per decode:
 * the shared source itself when it is at the context's rate in mono or stereo, else a float copy as
 * the mix hears it (resampled, downmixed), transferred. `forget` and `clear` drop them.
 * `play` starts the song at `songFrame` when the context's clock reaches `atFrame`.
 */
export type WorkletMix = Pick<MixInput, 'tracks' | 'reverb'> & { master: { gainDb: number } };
export type ToMixWorklet =
  | { type: 'source'; trackId: string; channels: SourceChannel[] }
  | { type: 'forget'; trackIds: string[] }
  | { type: 'clear' }
  | { type: 'mix'; mix: WorkletMix }
  | { type: 'play'; atFrame: number; songFrame: number }
  | { type: 'stop' }
  | { type: 'ping'; id: number }
  | { type: 'handBack' };
/**
 * `peaks`: per track in `trackIds` order, the left and right peak since the last report.
 * `handedBack`: the worklet's own copies (converted, or not shared), transferred; it holds none now.
 */
export type FromMixWorklet =
  | { type: 'peaks'; trackIds: string[]; peaks: Float32Array }
  | { type: 'pong'; id: number }
  | { type: 'handedBack'; sources: { trackId: string; channels: SourceChannel[] }[] };

/**
 * Messages to and from the master's A/B worklet (ab.worklet.ts). `play` hands it both sides (shared
 * views: read in place) and starts at song frame `fromFrame` (at the context's rate) when the
 * context's clock reaches `atFrame`; `stop` lets the views go and ends the processor.
 */
export type ToABWorklet =
  | {
      type: 'play';
      sides: ABSides;
      side: Side;
      trimsDb: Record<Side, number>;
      atFrame: number;
      fromFrame: number;
    }
  | { type: 'side'; side: Side }
  | { type: 'trims'; trimsDb: Record<Side, number> }
  | { type: 'stop' };
/** The song's end was played: the A/B is over. */
export type FromABWorklet = { type: 'ended' };
