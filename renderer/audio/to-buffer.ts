/**
 * Rendered channels as a Web Audio buffer (at least one frame, one channel): the master's A/B plays
 * from these only when the page is not cross-origin isolated (else from the shared memory itself, see
 * ab-player.ts). Decoded sources never become AudioBuffers (see shared-source.ts).
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
