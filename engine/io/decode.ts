import { type AudioData, AudioFormatError } from '../audio-data';
import { parseAiff } from './aiff';
import { type ByteSource, bytesSource, type PcmLayout } from './pcm';
import { decodeLayout, parseWav } from './wav';

/** Where the samples of a WAV (RIFF, RF64, BW64) or AIFF file are, by its signature. */
export function parseAudioFile(src: ByteSource): PcmLayout {
  const magic = String.fromCharCode(...src.read(0, 4));
  if (magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') return parseWav(src);
  if (magic === 'FORM') return parseAiff(src);
  throw new AudioFormatError('not_audio', 'This file is neither WAV nor AIFF; the engine cannot read it.');
}

/** Reads a WAV or AIFF file by its signature; other formats (MP3, FLAC, Ogg) are decoded by Web Audio in the renderer. */
export function decodeAudioFile(bytes: Uint8Array): AudioData {
  return decodeLayout(bytes, parseAudioFile(bytesSource(bytes)));
}
