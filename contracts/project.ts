import { z } from 'zod';
import { DEFAULT_EXPORT, ExportSettings, MasterPresetId, presetOf } from './export';

export const PROJECT_FORMAT = 'siberia-mix-project';
/**
 * 2: each track's clip (trim and fades). 3: the reverb send and bus, the master's preset, the export
 * choices remembered per project, sources that live in the project folder. Older files are migrated
 * on reading (`MIGRATIONS`).
 */
export const PROJECT_VERSION = 3;

const db = (min: number, max: number) => z.number().finite().min(min).max(max);
const hz = z.number().finite().min(10).max(22000);

export const EqSettings = z.object({
  low: z.object({ gainDb: db(-24, 24), freqHz: hz }),
  mid: z.object({ gainDb: db(-24, 24), freqHz: hz, q: z.number().finite().min(0.1).max(18) }),
  high: z.object({ gainDb: db(-24, 24), freqHz: hz }),
});
export type EqSettings = z.infer<typeof EqSettings>;

export const CompressorSettings = z.object({
  enabled: z.boolean(),
  thresholdDb: db(-60, 0),
  ratio: z.number().finite().min(1).max(20),
  attackMs: z.number().finite().min(0.1).max(200),
  releaseMs: z.number().finite().min(5).max(2000),
  makeupDb: db(0, 24),
});
export type CompressorSettings = z.infer<typeof CompressorSettings>;

export const DEFAULT_EQ: EqSettings = {
  low: { gainDb: 0, freqHz: 120 },
  mid: { gainDb: 0, freqHz: 1000, q: 0.7 },
  high: { gainDb: 0, freqHz: 8000 },
};
export const DEFAULT_COMPRESSOR: CompressorSettings = {
  enabled: false,
  thresholdDb: -18,
  ratio: 3,
  attackMs: 10,
  releaseMs: 120,
  makeupDb: 0,
};

export const FadeCurve = z.enum(['linear', 'equalPower']);
export type FadeCurve = z.infer<typeof FadeCurve>;

const seconds = z
  .number()
  .finite()
  .min(0)
  .max(24 * 3600);

/**
 * The part of the source a track plays and how it enters and leaves: `trimStartSec` of the source
 * skipped, then `lengthSec` of it (null: to its end), with fades in and out inside that length. The
 * track's `startOffsetSec` is where the clip's first heard sample sits on the timeline.
 */
export const ClipSettings = z.object({
  trimStartSec: seconds,
  lengthSec: z
    .number()
    .finite()
    .min(0.01)
    .max(24 * 3600)
    .nullable(),
  fadeInSec: seconds,
  fadeOutSec: seconds,
  fadeInCurve: FadeCurve,
  fadeOutCurve: FadeCurve,
});
export type ClipSettings = z.infer<typeof ClipSettings>;
export const DEFAULT_CLIP: ClipSettings = {
  trimStartSec: 0,
  lengthSec: null,
  fadeInSec: 0,
  fadeOutSec: 0,
  fadeInCurve: 'equalPower',
  fadeOutCurve: 'equalPower',
};

/** A track's send to the shared reverb bus: off, or at a level taken before or after its fader. */
export const SendSettings = z.object({
  enabled: z.boolean(),
  levelDb: db(-60, 6),
  /** Pre-fader: the send ignores the track's gain (and its pan); post-fader follows both. */
  preFader: z.boolean(),
});
export type SendSettings = z.infer<typeof SendSettings>;
export const DEFAULT_SEND: SendSettings = { enabled: false, levelDb: -12, preFader: false };

/** The shared reverb bus (engine/dsp/reverb.ts, Freeverb with a set decay) and its return. */
export const ReverbBusSettings = z.object({
  returnDb: db(-96, 6),
  /** 0 … 1: the room's size. */
  size: z.number().finite().min(0).max(1),
  decaySec: z.number().finite().min(0.1).max(20),
  /** 0 … 1: how much faster the highs die. */
  damping: z.number().finite().min(0).max(1),
  preDelayMs: z.number().finite().min(0).max(250),
});
export type ReverbBusSettings = z.infer<typeof ReverbBusSettings>;
export const DEFAULT_REVERB_BUS: ReverbBusSettings = {
  returnDb: 0,
  size: 0.5,
  decaySec: 1.8,
  damping: 0.4,
  preDelayMs: 20,
};

export const Track = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(200),
  /** Path of the source audio file, relative to the project file (or absolute). */
  source: z.object({ path: z.string().min(1).max(4096) }),
  gainDb: db(-96, 12),
  /** −1 (left) … +1 (right), constant-power law. */
  pan: z.number().finite().min(-1).max(1),
  mute: z.boolean(),
  solo: z.boolean(),
  /** Where the source starts on the timeline, in seconds. */
  startOffsetSec: z
    .number()
    .finite()
    .min(0)
    .max(24 * 3600),
  eq: EqSettings,
  compressor: CompressorSettings,
  clip: ClipSettings,
  send: SendSettings,
});
export type Track = z.infer<typeof Track>;

export const Tilt = z.enum(['neutral', 'warmer', 'brighter']);
export type Tilt = z.infer<typeof Tilt>;

export const MasterSettings = z.object({
  gainDb: db(-96, 12),
  /** Which preset target and ceiling are ('custom': the musician's own numbers). */
  preset: MasterPresetId,
  /** Integrated loudness target of the one-click master. */
  targetLufs: db(-30, -6),
  /** True-peak ceiling of the limiter. */
  ceilingDbtp: db(-9, 0),
  glue: z.boolean(),
  tilt: Tilt,
});
export type MasterSettings = z.infer<typeof MasterSettings>;
export const DEFAULT_MASTER: MasterSettings = {
  gainDb: 0,
  preset: 'streaming',
  targetLufs: -14,
  ceilingDbtp: -1,
  glue: false,
  tilt: 'neutral',
};

export const SampleRate = z.union([z.literal(44100), z.literal(48000)]);
export type SampleRate = z.infer<typeof SampleRate>;

export const ProjectFile = z.object({
  format: z.literal(PROJECT_FORMAT),
  version: z.literal(PROJECT_VERSION),
  name: z.string().max(200),
  sampleRate: SampleRate,
  tracks: z.array(Track).max(256),
  master: MasterSettings,
  reverb: ReverbBusSettings,
  /** The export dialog's last choices for this song. */
  export: ExportSettings,
});
export type ProjectFile = z.infer<typeof ProjectFile>;

export type ProjectParseResult = { ok: true; project: ProjectFile } | { ok: false; message: string };

/**
 * One step from each older version to the next, on the raw JSON (before validation): step n turns a
 * version n file into a version n + 1 file. Each is pure and keeps everything it does not know.
 */
export const MIGRATIONS: Record<number, (project: Record<string, unknown>) => Record<string, unknown>> = {
  // 1 → 2: tracks gain a clip that plays their whole source, without fades (how version 1 sounded).
  1: (project) => ({
    ...project,
    version: 2,
    tracks: Array.isArray(project.tracks)
      ? project.tracks.map((t: unknown) =>
          typeof t === 'object' && t !== null ? { ...t, clip: { ...DEFAULT_CLIP } } : t,
        )
      : project.tracks,
  }),
  // 2 → 3: no track sends (how version 2 sounded), the default reverb bus, the master's preset read
  // from its numbers, the default export choices.
  2: (project) => {
    const master = (typeof project.master === 'object' && project.master) || {};
    const { targetLufs, ceilingDbtp } = master as { targetLufs?: unknown; ceilingDbtp?: unknown };
    return {
      ...project,
      version: 3,
      tracks: Array.isArray(project.tracks)
        ? project.tracks.map((t: unknown) =>
            typeof t === 'object' && t !== null ? { ...t, send: { ...DEFAULT_SEND } } : t,
          )
        : project.tracks,
      master: {
        ...master,
        preset:
          typeof targetLufs === 'number' && typeof ceilingDbtp === 'number'
            ? presetOf(targetLufs, ceilingDbtp)
            : 'custom',
      },
      reverb: { ...DEFAULT_REVERB_BUS },
      export: { ...DEFAULT_EXPORT, stemTrackIds: [], tags: { ...DEFAULT_EXPORT.tags } },
    };
  },
};

/**
 * Reads a project file's JSON. Versions newer than this build are refused with a plain message
 * (rather than half-read); older versions are migrated one step at a time, then validated.
 */
export function parseProjectFile(json: unknown): ProjectParseResult {
  if (typeof json !== 'object' || json === null)
    return { ok: false, message: 'This is not a Siberia Mix project.' };
  const head = json as { format?: unknown; version?: unknown };
  if (head.format !== PROJECT_FORMAT) return { ok: false, message: 'This is not a Siberia Mix project.' };
  if (typeof head.version === 'number' && head.version > PROJECT_VERSION) {
    return {
      ok: false,
      message: `This project was saved by a newer Siberia Mix (format ${head.version}); please update.`,
    };
  }
  let migrated = json as Record<string, unknown>;
  while (typeof migrated.version === 'number' && migrated.version < PROJECT_VERSION) {
    const step = MIGRATIONS[migrated.version];
    if (!step) break;
    migrated = step(migrated);
  }
  const parsed = ProjectFile.safeParse(migrated);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `The project file is damaged (${issue?.path.join('.') || 'root'}: ${issue?.message}).`,
    };
  }
  return { ok: true, project: parsed.data };
}

/** An empty song with every default, at `sampleRate`. */
export function newProject(name = '', sampleRate: SampleRate = 48000): ProjectFile {
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name,
    sampleRate,
    tracks: [],
    master: { ...DEFAULT_MASTER },
    reverb: { ...DEFAULT_REVERB_BUS },
    export: { ...DEFAULT_EXPORT, stemTrackIds: [], tags: { ...DEFAULT_EXPORT.tags } },
  };
}

export function newTrack(id: string, name: string, path: string): Track {
  return {
    id,
    name,
    source: { path },
    gainDb: 0,
    pan: 0,
    mute: false,
    solo: false,
    startOffsetSec: 0,
    eq: { low: { ...DEFAULT_EQ.low }, mid: { ...DEFAULT_EQ.mid }, high: { ...DEFAULT_EQ.high } },
    compressor: { ...DEFAULT_COMPRESSOR },
    clip: { ...DEFAULT_CLIP },
    send: { ...DEFAULT_SEND },
  };
}
