import type { MessageKey } from '../i18n';

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
