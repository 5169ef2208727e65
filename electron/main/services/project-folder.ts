import path from 'node:path';
import { safeFileName } from './safe-file-name';

/**
 * The layout of a project on disk: a folder named for the song holding the project file and an
 * Audio folder with a copy of every source, referenced by relative path. Pure rules only; the
 * project service does the reading and writing.
 *
 *   My Song/
 *     My Song.siberia      the project (JSON)
 *     Audio/Drums.wav      the sources, as imported
 */
export const AUDIO_FOLDER = 'Audio';

/** Where older projects kept their stems, by file name: beside the project, or in one of these. */
export const SEARCH_FOLDERS = ['', AUDIO_FOLDER, 'stems'] as const;

/**
 * The project folder and file for a place the save dialog answered. Choosing a place inside the
 * song's own folder (saving over it, or an older project already in such a folder) does not nest
 * another folder in it.
 */
export function projectLocation(chosen: string, extension: string): { folder: string; file: string } {
  const stem = path.basename(chosen, extension) || 'Untitled';
  const parent = path.dirname(chosen);
  const folder = path.basename(parent) === stem ? parent : path.join(parent, stem);
  return { folder, file: path.join(folder, `${stem}${extension}`) };
}

/** The file name at the end of a source path written on any system (`\` or `/`). */
export function fileNameOf(sourcePath: string): string {
  return sourcePath.split(/[\\/]/).pop() ?? '';
}

/** The parts of a relative source path, to join with the project folder on this system. */
export function partsOf(sourcePath: string): string[] {
  return sourcePath.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
}

/** A project-relative source path, always with `/` so the project opens on any system. */
export function audioPath(name: string): string {
  return `${AUDIO_FOLDER}/${name}`;
}

/** The name of an Audio/ file this project already uses for a track, or null. */
export function audioNameOf(sourcePath: string): string | null {
  const parts = partsOf(sourcePath);
  return parts.length === 2 && parts[0] === AUDIO_FOLDER ? (parts[1] as string) : null;
}

/**
 * A name for a source in Audio/ not yet taken: "Kick.wav", then "Kick 2.wav", "Kick 3.wav"… Names
 * are compared without case, since macOS and Windows folders do not tell "kick.wav" from "Kick.wav".
 */
export function uniqueName(wanted: string, taken: ReadonlySet<string>): string {
  const safe = safeFileName(wanted, 'audio');
  const lower = new Set([...taken].map((n) => n.toLowerCase()));
  if (!lower.has(safe.toLowerCase())) return safe;
  const dot = safe.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, ''];
  for (let n = 2; ; n++) {
    const candidate = `${stem} ${n}${ext}`;
    if (!lower.has(candidate.toLowerCase())) return candidate;
  }
}

/** The name in a folder listing that is `name`, exactly or else without regard to case. */
export function findName(names: readonly string[], name: string): string | null {
  if (names.includes(name)) return name;
  const lower = name.toLowerCase();
  return names.find((n) => n.toLowerCase() === lower) ?? null;
}

/**
 * Whether bytes start like an audio file the desk reads (WAV/RF64, AIFF, FLAC, Ogg, MP3, MP4/M4A),
 * so that locating "Audio missing" with a text file or an image says so at once.
 */
export function looksLikeAudioBytes(head: Uint8Array): boolean {
  const text = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  const four = text(0, 4);
  if (['RIFF', 'RF64', 'BW64', 'FORM', 'fLaC', 'OggS'].includes(four)) return true;
  if (text(0, 3) === 'ID3') return true;
  if (text(4, 8) === 'ftyp') return true;
  // An MPEG audio frame without tags: eleven sync bits set.
  return head.length >= 2 && head[0] === 0xff && ((head[1] as number) & 0xe0) === 0xe0;
}
