import type { Track } from '../../contracts/project';
import type { AudioData } from '../audio-data';
import { isAudible } from '../dsp/laws';
import { type FrameSource, memorySource, resampledSource, stereoSource } from '../io/sources';
import { type ClipSpan, clipSpan } from './clip-span';
import { Mixer, type MixerInput, type StripBlock } from './mixer';

export type MixSource = { trackId: string; audio: AudioData };
/** A track's source as a stream: read front to back, a block at a time. */
export type MixStream = { trackId: string; source: FrameSource };
export type RenderOptions = {
  blockSize?: number;
  onProgress?: (fraction: number) => void;
  signal?: { readonly aborted: boolean };
};

export class RenderCancelledError extends Error {
  constructor() {
    super('The render was cancelled.');
    this.name = 'RenderCancelledError';
  }
}

/** Length of the song: every track counts, audible or not, so muting never moves the end. */
export function mixLength(
  tracks: readonly Track[],
  sources: ReadonlyArray<MixSource | MixStream>,
  sampleRate: number,
): number {
  let frames = 0;
  for (const track of tracks) {
    const found = sources.find((s) => s.trackId === track.id);
    if (!found) continue;
    const { frames: length, rate } =
      'audio' in found
        ? { frames: found.audio.channels[0]?.length ?? 0, rate: found.audio.sampleRate }
        : { frames: found.source.frames, rate: found.source.sampleRate };
    const span = clipSpan(track, Math.round((length * sampleRate) / rate), sampleRate);
    frames = Math.max(frames, span.offset + span.length);
  }
  return frames;
}

/** What a mix is made of; `reverb` absent means no reverb bus (the sends go nowhere). */
export type MixInput = MixerInput;

/** A heard track's source as the render reads it: where its clip sits and its read buffers. */
type Reader = {
  source: FrameSource;
  span: ClipSpan;
  /** Source frames still to skip before the clip starts: its trim. */
  skip: number;
  buffers: Float32Array[];
  block: StripBlock;
};

/**
 * Renders the stereo mix block by block through the Mixer (engine/mix/mixer.ts: fades → EQ →
 * compressor → sends → fader → pan, the reverb bus, the master gain), the very code the preview's
 * AudioWorklet runs. Each source is read front to back a block at a time (downmixed to stereo and
 * resampled on the way when it needs it), and each finished block is handed to `onBlock` (valid
 * until the next one): memory is a few blocks per track, whatever the length. Progress is reported
 * per block; the render stops at the next block once cancelled.
 */
export function streamMix(
  input: MixInput & { sources: readonly MixStream[] },
  onBlock: (block: readonly [Float32Array, Float32Array], count: number) => void,
  opts: RenderOptions = {},
): number {
  const rate = input.sampleRate;
  const blockSize = opts.blockSize ?? 4096;
  const frames = mixLength(input.tracks, input.sources, rate);
  const mixer = new Mixer(input, blockSize);
  const anySolo = input.tracks.some((t) => t.solo && !t.mute);
  // One reader per heard track with a source, in the mixer's strip order (null: nothing to read).
  const readers: Array<Reader | null> = input.tracks.map((track) => {
    const found = input.sources.find((s) => s.trackId === track.id);
    if (!found || !isAudible(track, anySolo)) return null;
    const source = resampledSource(stereoSource(found.source, blockSize), rate);
    const span = clipSpan(track, source.frames, rate);
    const buffers = Array.from({ length: source.channelCount }, () => new Float32Array(blockSize));
    return {
      source,
      span,
      skip: span.trim,
      buffers,
      block: { channels: buffers, start: 0, n: 0, at: 0, clipFrame: 0, fades: span.fades },
    };
  });
  const blocks: Array<StripBlock | null> = readers.map(() => null);
  for (let start = 0; start < frames; start += blockSize) {
    if (opts.signal?.aborted) throw new RenderCancelledError();
    const end = Math.min(frames, start + blockSize);
    readers.forEach((reader, i) => {
      blocks[i] = reader ? readBlock(reader, start, end, blockSize) : null;
    });
    onBlock(mixer.process(blocks, end - start), end - start);
    opts.onProgress?.(end / frames);
  }
  if (frames === 0) opts.onProgress?.(1);
  return frames;
}

/** The part of [start, end) the reader's clip plays, read from its source; null when none does. */
function readBlock(reader: Reader, start: number, end: number, blockSize: number): StripBlock | null {
  const { span, source, buffers } = reader;
  const from = Math.max(start, span.offset);
  const to = Math.min(end, span.offset + span.length);
  if (from >= to) return null;
  // A trimmed clip starts inside its source: read past the trim once, a block at a time.
  while (reader.skip > 0) {
    const skipped = source.read(buffers, Math.min(blockSize, reader.skip));
    if (skipped === 0) break;
    reader.skip -= skipped;
  }
  const block = reader.block;
  block.n = source.read(buffers, to - from);
  block.at = from - start;
  block.clipFrame = from - span.offset;
  return block;
}

/** The whole mix in memory (the app's export): streamMix over decoded sources, gathered. */
export function renderMix(
  input: MixInput & { sources: readonly MixSource[] },
  opts: RenderOptions = {},
): AudioData {
  const frames = mixLength(input.tracks, input.sources, input.sampleRate);
  const channels = [new Float32Array(frames), new Float32Array(frames)];
  let at = 0;
  streamMix(
    { ...input, sources: input.sources.map((s) => ({ trackId: s.trackId, source: memorySource(s.audio) })) },
    (block, count) => {
      channels[0]?.set(block[0].subarray(0, count), at);
      channels[1]?.set(block[1].subarray(0, count), at);
      at += count;
    },
    opts,
  );
  return { sampleRate: input.sampleRate, channels };
}
