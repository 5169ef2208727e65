import type { PlanarChannel } from '../../engine/io/planar';

/** A source's channel: 16-bit PCM as Int16Array (exact, half the memory), anything else as float. */
export type SourceChannel = PlanarChannel;

/**
 * One decoded source, the app's one copy of it: when the page is cross-origin isolated its channels
 * are views of SharedArrayBuffers that the desk, the engine Worker (export, master, stems) and the
 * preview's worklet all hold, so messages carry these views and never copies.
 */
export type SharedSource = { sampleRate: number; frames: number; channels: readonly SourceChannel[] };

/** Whether this page (or Worker) may share memory with its Workers and worklets. */
export function isolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/**
 * Memory for a source's channel: shared when isolated. Not isolated (an old test page; the app's
 * own pages always are, see renderer-files.ts), SharedArrayBuffer does not exist and each thread
 * keeps a copy of its own, as before.
 */
export function sourceBuffer(byteLength: number): ArrayBufferLike {
  return isolated() ? new SharedArrayBuffer(byteLength) : new ArrayBuffer(byteLength);
}

export function isShared(channel: SourceChannel): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && channel.buffer instanceof SharedArrayBuffer;
}

/**
 * The channels as a message carries them to another thread: shared views as they are (the same
 * memory on both sides); ordinary ones copied and transferred, since the sender keeps its own.
 */
export function postable(channels: readonly SourceChannel[]): {
  channels: SourceChannel[];
  transfer: ArrayBuffer[];
} {
  if (channels.every(isShared)) return { channels: [...channels], transfer: [] };
  const copies = channels.map((c) => c.slice());
  return { channels: copies, transfer: copies.map((c) => c.buffer as ArrayBuffer) };
}

/** A Web Audio decode copied once into the source's memory (the AudioBuffer is then dropped). */
export function fromAudioBuffer(buffer: AudioBuffer): SharedSource {
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => {
    const channel = new Float32Array(sourceBuffer(4 * buffer.length));
    // set, not copyFromChannel: Web Audio's copy refuses shared memory.
    channel.set(buffer.getChannelData(c));
    return channel;
  });
  return { sampleRate: buffer.sampleRate, frames: buffer.length, channels };
}

export const sourceSeconds = (source: SharedSource): number => source.frames / source.sampleRate;
