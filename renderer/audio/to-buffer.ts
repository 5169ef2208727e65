/**
 * Rendered channels as a Web Audio buffer (at least one frame, one channel): the master's A/B player
 * needs one. Decoded sources never become AudioBuffers (see shared-source.ts).
 */
export function toBuffer(
  context: BaseAudioContext,
  audio: { sampleRate: number; channels: readonly Float32Array[] },
): AudioBuffer {
  const length = Math.max(1, audio.channels[0]?.length ?? 1);
  const buffer = context.createBuffer(Math.max(1, audio.channels.length), length, audio.sampleRate);
  audio.channels.forEach((channel, c) => {
    // set, not copyToChannel: Web Audio's copy refuses shared memory (the master is shared).
    buffer.getChannelData(c).set(channel);
  });
  return buffer;
}
