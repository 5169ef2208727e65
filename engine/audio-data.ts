/** Planar audio: one Float32Array per channel, all the same length, nominally in [-1, 1]. */
export type AudioData = {
  sampleRate: number;
  channels: Float32Array[];
  /** What the reader had to work around (a wrong size, a downmix), in words for the musician. */
  notice?: string;
  /**
   * Set when the file's own sizes were not believed (an unfinished or cut recording) and the reader
   * went to the file's last whole frame: how many frames the file said it holds (null: it gives no
   * size), so that the desk can tell how much was read against what the file claims.
   */
  recovered?: { declaredFrames: number | null };
};

export type AudioFormatErrorCode =
  | 'truncated'
  | 'bad_chunk'
  | 'unsupported_format'
  | 'zero_channels'
  | 'bad_rate'
  | 'too_large'
  | 'not_audio';

/** A file the engine cannot read, with a message a musician can act on. */
export class AudioFormatError extends Error {
  readonly code: AudioFormatErrorCode;
  constructor(code: AudioFormatErrorCode, message: string) {
    super(message);
    this.name = 'AudioFormatError';
    this.code = code;
  }
}

/**
 * Whether `e` is an AudioFormatError, by its name: the command line's codecs are bundled apart from
 * it (scripts/build-audio.mjs), each bundle with its own copy of the class, so instanceof does not
 * hold across them.
 */
export function isAudioFormatError(e: unknown): e is AudioFormatError {
  return (
    e instanceof Error && e.name === 'AudioFormatError' && typeof (e as AudioFormatError).code === 'string'
  );
}

export function frameCount(audio: AudioData): number {
  return audio.channels[0]?.length ?? 0;
}
