import { type AudioData, AudioFormatError } from '../audio-data';
import { decodeAiff } from './aiff';
import { decodeWav } from './wav';

/** Reads a WAV or AIFF file by its signature; other formats (MP3, FLAC, Ogg) are decoded by Web Audio in the renderer. */
export function decodeAudioFile(bytes: Uint8Array): AudioData {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === 'RIFF') return decodeWav(bytes);
  if (magic === 'FORM') return decodeAiff(bytes);
  throw new AudioFormatError('not_audio', 'This file is neither WAV nor AIFF; the engine cannot read it.');
}
