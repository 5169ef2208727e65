import { type PlanarChannel, readPlanar } from '../../engine/io/planar';
import type { ClipSpan } from '../../engine/mix/clip-span';
import { clipBlock, type StripBlock } from '../../engine/mix/mixer';

/**
 * A strip's source in the preview's worklet: its channels (the shared source itself, float or
 * 16-bit, or the float copy made at the context's rate) and where its clip sits. A 16-bit source
 * has a scratch of one block per channel that each block's frames are converted into (value / 32768,
 * the export's very floats), so the mixer's loops read float as ever and no whole float copy exists.
 */
export type HeldSource = {
  channels: readonly PlanarChannel[];
  span: ClipSpan;
  scratch: Float32Array[] | null;
};

export function holdSource(
  channels: readonly PlanarChannel[],
  span: ClipSpan,
  blockFrames: number,
): HeldSource {
  const float = channels.every((c) => c instanceof Float32Array);
  return {
    channels,
    span,
    scratch: float ? null : channels.map(() => new Float32Array(blockFrames)),
  };
}

/** clipBlock for a held source: a 16-bit one's frames for this block converted into its scratch. */
export function sourceBlock(
  slot: StripBlock,
  held: HeldSource,
  position: number,
  frames: number,
): StripBlock | null {
  // clipBlock reads only the channels' length; a 16-bit block is pointed at the scratch below.
  const block = clipBlock(slot, held.channels as readonly Float32Array[], held.span, position, frames);
  const scratch = held.scratch;
  if (!block || !scratch) return block;
  held.channels.forEach((channel, c) => {
    readPlanar(channel, block.start, block.n, scratch[c] as Float32Array);
  });
  block.channels = scratch;
  block.start = 0;
  return block;
}
