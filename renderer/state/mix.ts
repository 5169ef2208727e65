import { ExportSettings, MASTER_PRESETS, MasterPresetId } from '../../contracts/export';
import {
  type MasterSettings,
  newProject,
  type ProjectFile,
  type ReverbBusSettings,
  type SendSettings,
  Tilt,
  type Track,
} from '../../contracts/project';
import { type ClipEdit, editClip } from './clip-edit';

/**
 * The mix as an undoable reducer: `present` is the project the desk shows, `past`/`future` the
 * undo and redo stacks. A gesture (a fader drag, arrow keys held on a knob) coalesces into one undo
 * step through `gesture`, closed by `endGesture`.
 */
export type MixState = {
  present: ProjectFile;
  past: ProjectFile[];
  future: ProjectFile[];
  /** The gesture the last change belonged to; a change with the same key replaces it in history. */
  gesture: string | null;
};

export type TrackPatch = Partial<Pick<Track, 'gainDb' | 'pan' | 'mute' | 'solo' | 'startOffsetSec'>> & {
  eq?: {
    low?: Partial<Track['eq']['low']>;
    mid?: Partial<Track['eq']['mid']>;
    high?: Partial<Track['eq']['high']>;
  };
  compressor?: Partial<Track['compressor']>;
  send?: Partial<SendSettings>;
};

export type MixAction =
  | { type: 'load'; project: ProjectFile }
  | { type: 'addTracks'; tracks: Track[] }
  | { type: 'updateTrack'; id: string; patch: TrackPatch; gesture?: string }
  | { type: 'editClip'; id: string; edit: ClipEdit; sourceSec: number; gesture?: string }
  | { type: 'renameTrack'; id: string; name: string }
  | { type: 'moveTrack'; id: string; to: number }
  | { type: 'removeTrack'; id: string }
  | { type: 'setMaster'; patch: MasterPatch; gesture?: string }
  | { type: 'setExport'; patch: ExportPatch; gesture?: string }
  | { type: 'setReverb'; patch: Partial<ReverbBusSettings>; gesture?: string }
  | { type: 'endGesture' }
  | { type: 'undo' }
  | { type: 'redo' };

export type MasterPatch = Partial<
  Pick<MasterSettings, 'gainDb' | 'preset' | 'targetLufs' | 'ceilingDbtp' | 'glue' | 'tilt'>
>;
export type ExportPatch = Partial<Omit<ExportSettings, 'tags'>> & { tags?: Partial<ExportSettings['tags']> };

export const HISTORY_LIMIT = 200;
/** The master fader's travel, in dB: −96 is its bottom (shown as −∞). */
export const MASTER_GAIN_DB = { min: -96, max: 12 } as const;
export const MAX_TRACKS = 256;

export function emptyProject(): ProjectFile {
  return newProject();
}

export function initialMix(project: ProjectFile = emptyProject()): MixState {
  return { present: project, past: [], future: [], gesture: null };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const finite = (x: number | undefined, fallback: number) =>
  x !== undefined && Number.isFinite(x) ? x : fallback;

/** Applies a patch within the project file's ranges: values outside are clamped, non-numbers ignored. */
export function patchTrack(track: Track, patch: TrackPatch): Track {
  const eq = patch.eq ?? {};
  const comp = patch.compressor ?? {};
  const send = patch.send ?? {};
  return {
    ...track,
    gainDb: clamp(finite(patch.gainDb, track.gainDb), -96, 12),
    pan: clamp(finite(patch.pan, track.pan), -1, 1),
    mute: patch.mute ?? track.mute,
    solo: patch.solo ?? track.solo,
    startOffsetSec: clamp(finite(patch.startOffsetSec, track.startOffsetSec), 0, 24 * 3600),
    eq: {
      low: {
        gainDb: clamp(finite(eq.low?.gainDb, track.eq.low.gainDb), -24, 24),
        freqHz: clamp(finite(eq.low?.freqHz, track.eq.low.freqHz), 10, 22000),
      },
      mid: {
        gainDb: clamp(finite(eq.mid?.gainDb, track.eq.mid.gainDb), -24, 24),
        freqHz: clamp(finite(eq.mid?.freqHz, track.eq.mid.freqHz), 10, 22000),
        q: clamp(finite(eq.mid?.q, track.eq.mid.q), 0.1, 18),
      },
      high: {
        gainDb: clamp(finite(eq.high?.gainDb, track.eq.high.gainDb), -24, 24),
        freqHz: clamp(finite(eq.high?.freqHz, track.eq.high.freqHz), 10, 22000),
      },
    },
    compressor: {
      enabled: comp.enabled ?? track.compressor.enabled,
      thresholdDb: clamp(finite(comp.thresholdDb, track.compressor.thresholdDb), -60, 0),
      ratio: clamp(finite(comp.ratio, track.compressor.ratio), 1, 20),
      attackMs: clamp(finite(comp.attackMs, track.compressor.attackMs), 0.1, 200),
      releaseMs: clamp(finite(comp.releaseMs, track.compressor.releaseMs), 5, 2000),
      makeupDb: clamp(finite(comp.makeupDb, track.compressor.makeupDb), 0, 24),
    },
    send: {
      enabled: typeof send.enabled === 'boolean' ? send.enabled : track.send.enabled,
      levelDb: clamp(finite(send.levelDb, track.send.levelDb), -60, 6),
      preFader: typeof send.preFader === 'boolean' ? send.preFader : track.send.preFader,
    },
  };
}

/** The reverb bus within the project file's ranges: values outside are clamped, non-numbers ignored. */
export function patchReverb(bus: ReverbBusSettings, patch: Partial<ReverbBusSettings>): ReverbBusSettings {
  return {
    returnDb: clamp(finite(patch.returnDb, bus.returnDb), -96, 6),
    size: clamp(finite(patch.size, bus.size), 0, 1),
    decaySec: clamp(finite(patch.decaySec, bus.decaySec), 0.1, 20),
    damping: clamp(finite(patch.damping, bus.damping), 0, 1),
    preDelayMs: clamp(finite(patch.preDelayMs, bus.preDelayMs), 0, 250),
  };
}

/**
 * The master's choices within the project file's ranges. A named preset brings its numbers; a
 * target or ceiling of one's own makes the master 'custom'. What is not a valid value is ignored.
 */
export function patchMaster(master: MasterSettings, patch: MasterPatch): MasterSettings {
  const gainDb = clamp(finite(patch.gainDb, master.gainDb), MASTER_GAIN_DB.min, MASTER_GAIN_DB.max);
  const next = { ...master, gainDb };
  const preset = MasterPresetId.safeParse(patch.preset);
  if (preset.success) {
    next.preset = preset.data;
    if (preset.data !== 'custom') Object.assign(next, MASTER_PRESETS[preset.data]);
  }
  if (patch.targetLufs !== undefined || patch.ceilingDbtp !== undefined) {
    // Tenths, as the controls step: a typed -14.04 is -14.0.
    const tenth = (x: number) => Math.round(x * 10) / 10;
    next.targetLufs = tenth(clamp(finite(patch.targetLufs, master.targetLufs), -30, -6));
    next.ceilingDbtp = tenth(clamp(finite(patch.ceilingDbtp, master.ceilingDbtp), -9, 0));
    next.preset = 'custom';
  }
  if (typeof patch.glue === 'boolean') next.glue = patch.glue;
  const tilt = Tilt.safeParse(patch.tilt);
  if (tilt.success) next.tilt = tilt.data;
  return next;
}

/** The export choices with a patch applied, or null when the result is not valid export settings. */
export function patchExport(settings: ExportSettings, patch: ExportPatch): ExportSettings | null {
  const next = ExportSettings.safeParse({
    ...settings,
    ...patch,
    tags: { ...settings.tags, ...patch.tags },
  });
  return next.success ? next.data : null;
}

function sameTrack(a: Track, b: Track): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Records `next` as a new present (or replaces the present within one gesture). */
function commit(state: MixState, next: ProjectFile, gesture: string | null): MixState {
  if (gesture !== null && gesture === state.gesture) return { ...state, present: next, future: [] };
  const past = [...state.past, state.present];
  if (past.length > HISTORY_LIMIT) past.shift();
  return { present: next, past, future: [], gesture };
}

function withTracks(project: ProjectFile, tracks: Track[]): ProjectFile {
  return { ...project, tracks };
}

export function mixReducer(state: MixState, action: MixAction): MixState {
  const project = state.present;
  switch (action.type) {
    case 'load':
      return initialMix(action.project);
    case 'addTracks': {
      const known = new Set(project.tracks.map((t) => t.id));
      const fresh = action.tracks.filter((t) => !known.has(t.id));
      if (fresh.length === 0) return state;
      const tracks = [...project.tracks, ...fresh].slice(0, MAX_TRACKS);
      if (tracks.length === project.tracks.length) return state;
      return commit(state, withTracks(project, tracks), null);
    }
    case 'updateTrack': {
      const index = project.tracks.findIndex((t) => t.id === action.id);
      const current = project.tracks[index];
      if (!current) return state;
      const next = patchTrack(current, action.patch);
      if (sameTrack(current, next)) return state;
      const tracks = project.tracks.with(index, next);
      return commit(state, withTracks(project, tracks), action.gesture ?? null);
    }
    case 'editClip': {
      const index = project.tracks.findIndex((t) => t.id === action.id);
      const current = project.tracks[index];
      if (!current) return state;
      const next = editClip(current, action.edit, action.sourceSec);
      if (sameTrack(current, next)) return state;
      return commit(state, withTracks(project, project.tracks.with(index, next)), action.gesture ?? null);
    }
    case 'renameTrack': {
      const index = project.tracks.findIndex((t) => t.id === action.id);
      const current = project.tracks[index];
      const name = action.name.trim().slice(0, 200);
      if (!current || name === '' || name === current.name) return state;
      return commit(state, withTracks(project, project.tracks.with(index, { ...current, name })), null);
    }
    case 'moveTrack': {
      const from = project.tracks.findIndex((t) => t.id === action.id);
      const to = action.to;
      if (from < 0 || !Number.isInteger(to) || to < 0 || to >= project.tracks.length || to === from)
        return state;
      const tracks = [...project.tracks];
      const [moved] = tracks.splice(from, 1);
      tracks.splice(to, 0, moved as Track);
      return commit(state, withTracks(project, tracks), null);
    }
    case 'removeTrack': {
      if (!project.tracks.some((t) => t.id === action.id)) return state;
      return commit(
        state,
        withTracks(
          project,
          project.tracks.filter((t) => t.id !== action.id),
        ),
        null,
      );
    }
    case 'setMaster': {
      const master = patchMaster(project.master, action.patch);
      if (JSON.stringify(master) === JSON.stringify(project.master)) return state;
      return commit(state, { ...project, master }, action.gesture ?? null);
    }
    case 'setExport': {
      const settings = patchExport(project.export, action.patch);
      if (!settings || JSON.stringify(settings) === JSON.stringify(project.export)) return state;
      return commit(state, { ...project, export: settings }, action.gesture ?? null);
    }
    case 'setReverb': {
      const reverb = patchReverb(project.reverb, action.patch);
      if (JSON.stringify(reverb) === JSON.stringify(project.reverb)) return state;
      return commit(state, { ...project, reverb }, action.gesture ?? null);
    }
    case 'endGesture':
      return state.gesture === null ? state : { ...state, gesture: null };
    case 'undo': {
      const previous = state.past.at(-1);
      if (!previous) return state;
      return {
        present: previous,
        past: state.past.slice(0, -1),
        future: [state.present, ...state.future],
        gesture: null,
      };
    }
    case 'redo': {
      const next = state.future[0];
      if (!next) return state;
      return {
        present: next,
        past: [...state.past, state.present],
        future: state.future.slice(1),
        gesture: null,
      };
    }
  }
}

export const canUndo = (s: MixState) => s.past.length > 0;
export const canRedo = (s: MixState) => s.future.length > 0;
