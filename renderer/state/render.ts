import type { MasterReport } from '../../contracts/audio';
import type { UsageKind } from '../../contracts/plan';

/**
 * An export or a master, from the gate's answer to the saved file. Only one runs at a time: the
 * buttons are disabled outside `idle`, and every step checks it is still the current job.
 */
export type RenderState =
  | { phase: 'idle' }
  | { phase: 'authorizing'; kind: UsageKind }
  /** An export granted: the export dialog is open on the project's choices (last: where the last one went). */
  | { phase: 'choosing'; grantId: string; lastPath: string | null }
  | {
      phase: 'rendering';
      kind: UsageKind;
      job: number;
      progress: number;
      grantId: string;
      /** Stems: the one being rendered (1-based) of how many; null for one file. */
      stem: { index: number; count: number } | null;
    }
  | {
      phase: 'report';
      job: number;
      grantId: string;
      report: MasterReport;
      listening: 'A' | 'B';
      playing: boolean;
      /** Both sides played at the same loudness (the default), or as they are. */
      matched: boolean;
    }
  | { phase: 'saving'; kind: UsageKind; job: number };

export type RenderAction =
  | { type: 'authorize'; kind: UsageKind }
  | { type: 'choose'; grantId: string; lastPath: string | null }
  | { type: 'start'; kind: UsageKind; job: number; grantId: string }
  | { type: 'progress'; job: number; fraction: number }
  | { type: 'stem'; job: number; index: number; count: number }
  | { type: 'match'; matched: boolean }
  | { type: 'report'; job: number; report: MasterReport }
  | { type: 'listen'; side: 'A' | 'B' }
  | { type: 'playing'; playing: boolean }
  | { type: 'saving'; job: number; kind: UsageKind }
  | { type: 'done' };

export function renderReducer(state: RenderState, action: RenderAction): RenderState {
  switch (action.type) {
    case 'authorize':
      return state.phase === 'idle' ? { phase: 'authorizing', kind: action.kind } : state;
    case 'choose':
      return state.phase === 'authorizing' && state.kind === 'export'
        ? { phase: 'choosing', grantId: action.grantId, lastPath: action.lastPath }
        : state;
    case 'start': {
      const from =
        (state.phase === 'authorizing' && state.kind === action.kind) ||
        (state.phase === 'choosing' && action.kind === 'export' && state.grantId === action.grantId);
      return from
        ? {
            phase: 'rendering',
            kind: action.kind,
            job: action.job,
            progress: 0,
            grantId: action.grantId,
            stem: null,
          }
        : state;
    }
    case 'stem':
      return state.phase === 'rendering' && state.job === action.job
        ? { ...state, stem: { index: action.index, count: action.count } }
        : state;
    case 'match':
      return state.phase === 'report' && state.matched !== action.matched
        ? { ...state, matched: action.matched }
        : state;
    case 'progress': {
      if (state.phase !== 'rendering' || state.job !== action.job) return state;
      const progress = Math.min(1, Math.max(state.progress, action.fraction));
      return progress === state.progress ? state : { ...state, progress };
    }
    case 'report':
      return state.phase === 'rendering' && state.job === action.job && state.kind === 'master'
        ? {
            phase: 'report',
            job: action.job,
            grantId: state.grantId,
            report: action.report,
            listening: 'B',
            playing: false,
            matched: true,
          }
        : state;
    case 'listen':
      return state.phase === 'report' && state.listening !== action.side
        ? { ...state, listening: action.side }
        : state;
    case 'playing':
      return state.phase === 'report' && state.playing !== action.playing
        ? { ...state, playing: action.playing }
        : state;
    case 'saving':
      return (state.phase === 'rendering' || state.phase === 'report') && state.job === action.job
        ? { phase: 'saving', kind: action.kind, job: action.job }
        : state;
    case 'done':
      return state.phase === 'idle' ? state : { phase: 'idle' };
  }
}

export const isBusy = (s: RenderState) => s.phase !== 'idle';
