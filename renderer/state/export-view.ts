import {
  type ExportFormat,
  type ExportSettings,
  estimateBytes,
  exportRate,
  fileExtension,
} from '../../contracts/export';
import type { Track } from '../../contracts/project';
import { stemIds } from '../../engine/mix/stems';

/** The formats in the order the dialog lists them: the CD's first, then by kind. */
export const FORMAT_ORDER: readonly ExportFormat[] = [
  'wav16',
  'wav24',
  'wav32f',
  'flac16',
  'flac24',
  'mp3-320',
  'mp3-v0',
];

/** The tracks a stem export writes now: the ones chosen that still exist, or every track. */
export function stemSelection(tracks: readonly Track[], settings: ExportSettings): Set<string> {
  const chosen = stemIds(tracks, settings.stemTrackIds);
  // Every chosen track was removed since: the choice falls back to every track, as a new one would.
  return new Set(chosen.length > 0 ? chosen : tracks.map((t) => t.id));
}

/**
 * The stem list after ticking or unticking one track: every track is stored as [] ("all", so a
 * track added later is included too); the last ticked track cannot be unticked (null: no change).
 */
export function toggleStem(
  tracks: readonly Track[],
  settings: ExportSettings,
  trackId: string,
  on: boolean,
): string[] | null {
  if (!tracks.some((t) => t.id === trackId)) return null;
  const selected = stemSelection(tracks, settings);
  if (on) selected.add(trackId);
  else selected.delete(trackId);
  if (selected.size === 0) return null;
  if (selected.size === tracks.length) return [];
  return tracks.filter((t) => selected.has(t.id)).map((t) => t.id);
}

/** What the dialog says about size: megabytes (10⁶ bytes, as file browsers count) and files. */
export function exportEstimate(
  settings: ExportSettings,
  tracks: readonly Track[],
  seconds: number,
  sessionRate: number,
): { megabytes: number; files: number; rate: number; extension: string } {
  const files = settings.stems ? stemSelection(tracks, settings).size : 1;
  const bytes = estimateBytes(settings, Math.max(0, seconds), sessionRate, files);
  return {
    megabytes: bytes / 1e6,
    files,
    rate: exportRate(settings.rate, sessionRate),
    extension: fileExtension(settings.format),
  };
}
