import type { MasterReport } from '../../contracts/audio';
import type { MasterSettings, Track } from '../../contracts/project';
import type { AudioFormatErrorCode } from '../../engine/index';
import type { PeakPyramid } from './peak-pyramid';

/** Messages between the desk and the engine Worker. Audio travels as transferred Float32Arrays. */
/** A source's waveform: its peak pyramid (peak-pyramid.ts), built once in the Worker. */
export type Peaks = PeakPyramid;
export type MixInput = { tracks: Track[]; master: MasterSettings; sampleRate: number };

export type ToEngine =
  | { type: 'decode'; id: number; trackId: string; bytes: ArrayBuffer }
  | { type: 'store'; id: number; trackId: string; sampleRate: number; channels: Float32Array[] }
  | { type: 'render'; id: number; mix: MixInput }
  | { type: 'master'; id: number; mix: MixInput };

export type FromEngine =
  | { type: 'decoded'; id: number; sampleRate: number; channels: Float32Array[]; peaks: Peaks }
  | { type: 'stored'; id: number; peaks: Peaks }
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'rendered'; id: number; wav: Uint8Array }
  | {
      type: 'mastered';
      id: number;
      wav: Uint8Array;
      report: MasterReport;
      sampleRate: number;
      original: Float32Array[];
      mastered: Float32Array[];
    }
  | { type: 'failed'; id: number; code: AudioFormatErrorCode | 'internal'; message: string };

export type MeterReading = { momentary: number | null; shortTerm: number | null; truePeak: number | null };

export type ToMeter = { type: 'connect'; port: MessagePort; sampleRate: number } | { type: 'reset' };
export type FromMeter = { type: 'reading'; reading: MeterReading };

export const EXPORT_FORMAT = 'wav24' as const;
