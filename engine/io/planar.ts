import type { FrameSource } from './sources';

/**
 * A decoded source's channel as kept in memory: 16-bit (and 8-bit) PCM as 16-bit integers — exact,
 * half the bytes of float — and everything else as float (24-bit is exact in float32).
 */
export type PlanarChannel = Float32Array | Int16Array;

/** Planar audio whose channels may be 16-bit integers (read as value / 32768). */
export type PlanarAudio = {
  sampleRate: number;
  channels: readonly PlanarChannel[];
  notice?: string;
  recovered?: { declaredFrames: number | null };
};

/** 1 / 32768: a power of two, so the product is the very float `value / 32768` the decoders make. */
export const INT16_SCALE = 1 / 32768;

export const planarFrames = (audio: Pick<PlanarAudio, 'channels'>): number => audio.channels[0]?.length ?? 0;

/** Frames [start, start + n) of a channel as float into into[at …]: 16-bit samples scaled by 1/32768. */
export function readPlanar(
  channel: PlanarChannel,
  start: number,
  n: number,
  into: Float32Array,
  at = 0,
): void {
  // A loop rather than into.set(channel.subarray(…)): no view made per block.
  if (channel instanceof Float32Array) {
    for (let i = 0; i < n; i++) into[at + i] = channel[start + i] as number;
    return;
  }
  for (let i = 0; i < n; i++) into[at + i] = (channel[start + i] as number) * INT16_SCALE;
}

/**
 * A planar source read front to back as float, a block at a time: memorySource's reading for
 * channels that may be 16-bit, converted only for the block asked for (never a whole float copy).
 */
export function planarSource(audio: PlanarAudio): FrameSource {
  let position = 0;
  const frames = planarFrames(audio);
  return {
    sampleRate: audio.sampleRate,
    channelCount: audio.channels.length,
    frames,
    notice: audio.notice,
    read(into, count) {
      const n = Math.max(0, Math.min(count, frames - position));
      for (let c = 0; c < audio.channels.length; c++)
        readPlanar(audio.channels[c] as PlanarChannel, position, n, into[c] as Float32Array);
      position += n;
      return n;
    },
  };
}
