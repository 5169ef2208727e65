import type { SourceAudio } from './engine-client';

/** Decoded or rendered channels as a Web Audio buffer (at least one frame, one channel). */
export function toBuffer(context: BaseAudioContext, audio: SourceAudio): AudioBuffer {
  const length = Math.max(1, audio.channels[0]?.length ?? 1);
  const buffer = context.createBuffer(Math.max(1, audio.channels.length), length, audio.sampleRate);
  audio.channels.forEach((channel, c) => {
    buffer.copyToChannel(channel as Float32Array<ArrayBuffer>, c);
  });
  return buffer;
}
