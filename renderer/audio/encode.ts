// TEMPORARY ADAPTER — replaced by the engine's own `encodeAudio` (engine/index.ts) when the codecs
// branch is merged. It has the same signature, so only this file's body changes: WAV through the
// engine's encodeWav, the rate through the engine's resampler; FLAC and MP3 are refused in plain
// words until the real encoders land.
import type { ExportFormat, ExportTags } from '../../contracts/export';
import { type AudioData, encodeWav, resample } from '../../engine/index';

export type EncodeOptions = { rate?: number; tags?: ExportTags; ditherSeed?: number };
export type Encoded = { bytes: Uint8Array; clipping: { samples: number; peak: number } };

/** Samples a fixed-point file cannot hold (beyond full scale), and the highest peak. */
function clippingOf(audio: AudioData, float: boolean): Encoded['clipping'] {
  let samples = 0;
  let peak = 0;
  for (const channel of audio.channels)
    for (let i = 0; i < channel.length; i++) {
      const v = Math.abs(channel[i] as number);
      if (v > peak) peak = v;
      if (!float && v > 1) samples++;
    }
  return { samples, peak };
}

export async function encodeAudio(
  audio: AudioData,
  format: ExportFormat,
  opts: EncodeOptions = {},
): Promise<Encoded> {
  if (format !== 'wav16' && format !== 'wav24' && format !== 'wav32f')
    throw new Error(
      `${format.startsWith('mp3') ? 'MP3' : 'FLAC'} export is not available in this build yet.`,
    );
  const atRate = opts.rate && opts.rate !== audio.sampleRate ? resample(audio, opts.rate) : audio;
  const bytes = encodeWav(atRate, { format, ditherSeed: opts.ditherSeed });
  return { bytes, clipping: clippingOf(atRate, format === 'wav32f') };
}
