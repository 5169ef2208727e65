import { z } from 'zod';
import { EXPORT_FORMATS, FORMATS, MASTER_PRESET_IDS } from './formats';

export {
  EXPORT_FORMATS,
  type FileKind,
  FORMATS,
  fileExtension,
  formatFor,
  MASTER_PRESET_IDS,
  MASTER_PRESETS,
  presetOf,
} from './formats';

/**
 * What a Pro musician takes away: the file formats an export or a master is written in, the rate,
 * the tags, and whether each track is written as its own stem. One home for the format table: the
 * engine's encoders, the CLI's extension rule, the export dialog's size estimate all read it.
 */
export const ExportFormat = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** 'session': the project's own rate; otherwise resampled by the engine's resampler. */
export const ExportRate = z.union([z.literal('session'), z.literal(44100), z.literal(48000)]);
export type ExportRate = z.infer<typeof ExportRate>;

export const ExportTags = z.object({
  title: z.string().max(200),
  artist: z.string().max(200),
});
export type ExportTags = z.infer<typeof ExportTags>;

export const ExportSettings = z.object({
  format: ExportFormat,
  rate: ExportRate,
  /** Each track through its own strip into a folder (one export counted), instead of the mix. */
  stems: z.boolean(),
  /** The tracks written as stems; empty: every track. */
  stemTrackIds: z.array(z.string().min(1).max(64)).max(256),
  tags: ExportTags,
});
export type ExportSettings = z.infer<typeof ExportSettings>;

export const DEFAULT_EXPORT: ExportSettings = {
  format: 'wav24',
  rate: 'session',
  stems: false,
  stemTrackIds: [],
  tags: { title: '', artist: '' },
};

export const exportRate = (rate: ExportRate, sessionRate: number): number =>
  rate === 'session' ? sessionRate : rate;

/** About how big the file(s) will be: `seconds` of stereo, once per stem when stems are asked for. */
export function estimateBytes(settings: ExportSettings, seconds: number, sessionRate: number, stems = 1) {
  const rate = exportRate(settings.rate, sessionRate);
  return Math.round(FORMATS[settings.format].bytesPerSecond(rate) * seconds * (settings.stems ? stems : 1));
}

/** The master's presets, with the numbers the musician sees beside them (the table: formats.ts). */
export const MasterPresetId = z.enum(MASTER_PRESET_IDS);
export type MasterPresetId = z.infer<typeof MasterPresetId>;
