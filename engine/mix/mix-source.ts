import type { AudioData } from '../audio-data';
import { type FrameSource, memorySource, resampledSource, stereoSource } from '../io/sources';

/** Frames converted per step: a step takes a few milliseconds, so a page can breathe between two. */
const CHUNK = 65536;

/**
 * A decoded source as the mix hears it, whole: mono or stereo (more channels downmixed, BS.775) at
 * the mix's rate — the very frames streamMix reads block by block, for the preview to hold in memory.
 * A source already so is returned as it is, not copied. Step by step (one chunk per `next()`), so
 * the desk's main thread can convert a long file without a long task; `mixSourceChannels` runs it
 * to the end at once.
 */
export function mixSourceSteps(audio: AudioData, rate: number): Generator<void, Float32Array[], void> {
  return sourceSteps(audio, memorySource(audio), rate) as Generator<void, Float32Array[], void>;
}

/**
 * The steps themselves, for any source kept in memory (`read` reads it, a block at a time): its own
 * channels when the mix hears it as it is, else a float copy made a chunk per step.
 */
export function* sourceSteps<C>(
  audio: { sampleRate: number; channels: readonly C[] },
  read: FrameSource,
  rate: number,
): Generator<void, readonly C[] | Float32Array[], void> {
  if (audio.sampleRate === rate && audio.channels.length <= 2) return audio.channels;
  const source = resampledSource(stereoSource(read, CHUNK), rate);
  const channels = Array.from({ length: source.channelCount }, () => new Float32Array(source.frames));
  const buffers = channels.map(() => new Float32Array(CHUNK));
  for (let at = 0; at < source.frames; ) {
    const n = source.read(buffers, Math.min(CHUNK, source.frames - at));
    if (n === 0) break;
    channels.forEach((ch, c) => {
      ch.set((buffers[c] as Float32Array).subarray(0, n), at);
    });
    at += n;
    if (at < source.frames) yield;
  }
  return channels;
}

export function mixSourceChannels(audio: AudioData, rate: number): Float32Array[] {
  const steps = mixSourceSteps(audio, rate);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
