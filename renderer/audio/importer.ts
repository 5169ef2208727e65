import type { MessageKey } from '../i18n';
import { type EngineClient, EngineError } from './engine-client';
import { decoderFor, importReason, webAudioReason } from './import-rules';
import type { Peaks } from './protocol';
import { fromAudioBuffer, type SharedSource } from './shared-source';

export type Imported =
  | {
      ok: true;
      source: SharedSource;
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
      const { source, peaks, recovered } = await engine.decode(trackId, bytes.slice(0));
      return recovered ? { ok: true, source, peaks, recovered } : { ok: true, source, peaks };
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      engineReason = importReason(error.failure.code);
    }
  }
  try {
    // Copied once into the source's (shared) memory; the AudioBuffer goes with this scope.
    const source = fromAudioBuffer(await decodeWithWebAudio(bytes.slice(0)));
    return { ok: true, source, peaks: await engine.store(trackId, source) };
  } catch {
    return { ok: false, reason: engineReason ?? webAudioReason(new Uint8Array(bytes.slice(0, 12))) };
  }
}
