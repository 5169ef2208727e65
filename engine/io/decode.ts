import { type AudioData, AudioFormatError } from '../audio-data';
import { decodeWav } from './wav';

/** Reads an audio file by its signature. WAV today; other formats are decoded by Web Audio in the renderer. */
export function decodeAudioFile(bytes: Uint8Array): AudioData {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === 'RIFF') return decodeWav(bytes);
  throw new AudioFormatError('not_audio', 'This file is not a WAV file the engine can read.');
}
