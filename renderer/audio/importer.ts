import type { MessageKey } from '../i18n';
import { type EngineClient, EngineError, type SourceAudio } from './engine-client';
import { decoderFor, importReason, webAudioReason } from './import-rules';
import type { Peaks } from './protocol';

export type Imported =
  | {
      ok: true;
      audio: SourceAudio;
      peaks: Peaks;
      /** Set when the file's sizes were wrong and it was read to its last whole frame. */
      recovered?: { declaredFrames: number | null };
    }
  | { ok: false; reason: MessageKey };

/**
 * Reads one file: WAV and AIFF with the engine (in its Worker), MP3, FLAC and Ogg with Web Audio's
 * decoder. A WAV the engine refuses (an encoding it does not know) gets a second chance with Web
 * Audio; if both fail, the engine's reason is the one shown, being the more precise. A FLAC, MP3 or
 * Ogg that Web Audio cannot decode is said to be damaged, by its kind, not "not an audio file".
 */
export async function importAudio(
  trackId: string,
  file: Blob,
  engine: EngineClient,
  decodeWithWebAudio: (bytes: ArrayBuffer) => Promise<AudioBuffer>,
): Promise<Imported> {
  const bytes = await file.arrayBuffer();
  const head = new Uint8Array(bytes.slice(0, 4));
  let engineReason: MessageKey | null = null;
  if (decoderFor(head) === 'engine') {
    try {
      const { audio, peaks, recovered } = await engine.decode(trackId, bytes.slice(0));
      return recovered ? { ok: true, audio, peaks, recovered } : { ok: true, audio, peaks };
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      engineReason = importReason(error.failure.code);
    }
  }
  try {
    const buffer = await decodeWithWebAudio(bytes.slice(0));
    const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
    const audio = { sampleRate: buffer.sampleRate, channels };
    return { ok: true, audio, peaks: await engine.store(trackId, audio) };
  } catch {
    return { ok: false, reason: engineReason ?? webAudioReason(new Uint8Array(bytes.slice(0, 12))) };
  }
}
