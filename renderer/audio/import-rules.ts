import type { MessageKey } from '../i18n';
import type { Text } from '../state/text';

/** Which decoder reads a file: the engine for WAV and AIFF (by signature), Web Audio for the rest. */
export function decoderFor(bytes: Uint8Array): 'engine' | 'webaudio' {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  return magic === 'RIFF' || magic === 'FORM' ? 'engine' : 'webaudio';
}

const AUDIO_EXTENSIONS = /\.(wav|wave|aif|aiff|aifc|mp3|flac|ogg|oga|opus|m4a)$/i;

/** Dropped items worth trying: audio by type or by extension (some systems give no type). */
export function looksLikeAudio(file: { name: string; type: string }): boolean {
  return file.type.startsWith('audio/') || AUDIO_EXTENSIONS.test(file.name);
}

/** The file name at the end of a track's source path ("Audio/Kick.wav", "C:\\Stems\\Kick.wav"). */
export function sourceFileName(sourcePath: string): string {
  return sourcePath.split(/[\\/]/).pop() ?? sourcePath;
}

/** Track name from a file name: without the extension, never empty. */
export function trackNameFromFile(fileName: string): string {
  const base = fileName.replace(/\.[^./\\]+$/, '').trim();
  return (base || fileName).slice(0, 200);
}

const reasons: Record<string, MessageKey> = {
  truncated: 'audioError.truncated',
  bad_chunk: 'audioError.bad_chunk',
  unsupported_format: 'audioError.unsupported_format',
  zero_channels: 'audioError.zero_channels',
  bad_rate: 'audioError.bad_rate',
  too_large: 'audioError.too_large',
  not_audio: 'audioError.not_audio',
};

/** The catalogue's reason for an engine error code; anything else is "cannot read". */
export function importReason(code: string): MessageKey {
  return reasons[code] ?? 'audioError.decode_failed';
}

/** What Web Audio was given, by its first bytes: a decoding failure then names the kind of file. */
export function webAudioKind(bytes: Uint8Array): 'flac' | 'mp3' | 'ogg' | 'm4a' | null {
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (text(0, 4) === 'fLaC') return 'flac';
  if (text(0, 4) === 'OggS') return 'ogg';
  if (text(4, 8) === 'ftyp') return 'm4a';
  if (text(0, 3) === 'ID3') return 'mp3';
  // An MPEG audio frame without tags: eleven sync bits set.
  if (bytes.length >= 2 && bytes[0] === 0xff && ((bytes[1] as number) & 0xe0) === 0xe0) return 'mp3';
  return null;
}

/**
 * Why Web Audio could not read a file: a FLAC, MP3, Ogg or M4A by its signature is damaged (its
 * kind is known, its content is not readable), anything else is not audio the desk reads.
 */
export function webAudioReason(bytes: Uint8Array): MessageKey {
  const kind = webAudioKind(bytes);
  return kind ? (`audioError.damaged_${kind}` as const) : 'audioError.decode_failed';
}

/**
 * What the musician is told when the engine read a WAV or AIFF to its last whole frame because the
 * file's own sizes were wrong: how much was read against what the file says. A size of 0 (or none,
 * or less than what is there) is a recording that was never finished; a size beyond the file is a
 * file cut short, its end missing.
 */
export function recoveryNotice(
  file: string,
  readFrames: number,
  sampleRate: number,
  recovered: { declaredFrames: number | null },
  seconds: (s: number) => string,
): Text {
  const read = seconds(readFrames / sampleRate);
  const { declaredFrames } = recovered;
  if (declaredFrames === null) return { key: 'import.unfinishedNoSize', params: { file, read } };
  const declared = seconds(declaredFrames / sampleRate);
  if (declaredFrames > readFrames) return { key: 'import.cutShort', params: { file, read, declared } };
  return { key: 'import.unfinished', params: { file, read, declared } };
}
