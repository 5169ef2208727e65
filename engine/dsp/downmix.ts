/**
 * Stereo downmix of multichannel sources after ITU-R BS.775: centre and surrounds into each side at
 * −3 dB (0.7071), the LFE left out. Channels in the WAVE order (front left, front right, centre,
 * LFE, back left, back right, side left, side right; what files without a channel mask mean).
 */
const H = Math.SQRT1_2;

/** Where each speaker goes: [gain into left, gain into right]. */
const SPEAKERS = {
  L: [1, 0],
  R: [0, 1],
  C: [H, H],
  LFE: [0, 0],
  Ls: [H, 0],
  Rs: [0, H],
  Lb: [H, 0],
  Rb: [0, H],
  Cs: [0.5, 0.5],
} as const satisfies Record<string, readonly [number, number]>;
type Speaker = keyof typeof SPEAKERS;

/** The layouts by channel count, in WAVE order. */
const LAYOUTS: Record<number, { name: string; speakers: Speaker[] }> = {
  3: { name: '3.0', speakers: ['L', 'R', 'C'] },
  4: { name: 'quad', speakers: ['L', 'R', 'Ls', 'Rs'] },
  5: { name: '5.0', speakers: ['L', 'R', 'C', 'Ls', 'Rs'] },
  6: { name: '5.1', speakers: ['L', 'R', 'C', 'LFE', 'Ls', 'Rs'] },
  7: { name: '6.1', speakers: ['L', 'R', 'C', 'LFE', 'Cs', 'Ls', 'Rs'] },
  8: { name: '7.1', speakers: ['L', 'R', 'C', 'LFE', 'Lb', 'Rb', 'Ls', 'Rs'] },
};

export type Downmix = { gains: Array<[number, number]>; notice: string };

/** How a source of this many channels becomes stereo; null for mono and stereo, which stay as they are. */
export function stereoDownmix(channelCount: number): Downmix | null {
  if (channelCount <= 2) return null;
  const layout = LAYOUTS[channelCount];
  if (layout)
    return {
      gains: layout.speakers.map((s): [number, number] => [...SPEAKERS[s]]),
      notice: `A ${layout.name} source (${layout.speakers.join(' ')}), downmixed to stereo after ITU-R BS.775 (centre and surrounds at −3 dB, LFE left out).`,
    };
  return {
    gains: Array.from({ length: channelCount }, (_, c): [number, number] =>
      c === 0 ? [1, 0] : c === 1 ? [0, 1] : [0, 0],
    ),
    notice: `A ${channelCount}-channel source has no standard layout to downmix: only its first two channels are used.`,
  };
}

/** left/right[at …] ← the downmix of channels[c][0 … count). */
export function applyDownmix(
  downmix: Downmix,
  channels: readonly Float32Array[],
  count: number,
  left: Float32Array,
  right: Float32Array,
  at = 0,
): void {
  left.fill(0, at, at + count);
  right.fill(0, at, at + count);
  // Indexed loops, no callback: a stream calls this per block.
  for (let c = 0; c < downmix.gains.length; c++) {
    const gains = downmix.gains[c] as [number, number];
    const gl = gains[0];
    const gr = gains[1];
    const x = channels[c] as Float32Array;
    if (gl !== 0)
      for (let i = 0; i < count; i++) left[at + i] = (left[at + i] as number) + gl * (x[i] as number);
    if (gr !== 0)
      for (let i = 0; i < count; i++) right[at + i] = (right[at + i] as number) + gr * (x[i] as number);
  }
}
