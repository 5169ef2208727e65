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
  const run = new MixRun(input, opts);
  for (let count = run.next(); count > 0; count = run.next()) onBlock(run.block, count);
  if (run.frames === 0) opts.onProgress?.(1);
  return run.frames;
}

/** streamMix one block at a time: next() mixes the next block into `block` (0 at the end). */
class MixRun {
  readonly frames: number;
  block: readonly [Float32Array, Float32Array];
  private readonly blockSize: number;
  private readonly mixer: Mixer;
  private readonly readers: Array<Reader | null>;
  private readonly blocks: Array<StripBlock | null>;
  private start = 0;
  constructor(
    input: MixInput & { sources: readonly MixStream[] },
    private readonly opts: RenderOptions,
  ) {
    const rate = input.sampleRate;
    const blockSize = opts.blockSize ?? 4096;
    this.blockSize = blockSize;
    this.frames = mixLength(input.tracks, input.sources, rate);
    this.mixer = new Mixer(input, blockSize);
    const anySolo = input.tracks.some((t) => t.solo && !t.mute);
    // One reader per heard track with a source, in the mixer's strip order (null: nothing to read).
    this.readers = input.tracks.map((track) => {
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
    this.blocks = this.readers.map(() => null);
    this.block = [new Float32Array(0), new Float32Array(0)];
  }
  next(): number {
    const { frames, blockSize, opts } = this;
    const start = this.start;
    if (start >= frames) return 0;
    if (opts.signal?.aborted) throw new RenderCancelledError();
    const end = Math.min(frames, start + blockSize);
    for (let i = 0; i < this.readers.length; i++) {
      const reader = this.readers[i];
      this.blocks[i] = reader ? readBlock(reader, start, end, blockSize) : null;
    }
    this.block = this.mixer.process(this.blocks, end - start);
    this.start = end;
    opts.onProgress?.(end / frames);
    return end - start;
  }
}

/**
 * The mix as a FrameSource (stereo, at the mix's rate): what streamMix hands out, pulled a read at
 * a time, so that a resampler and an encoder can stream it (the app's export: no whole mix in
 * memory).
 */
export function mixFrameSource(
  input: MixInput & { sources: readonly MixStream[] },
  opts: RenderOptions = {},
): FrameSource {
  const run = new MixRun(input, opts);
  // The block mixed last and how much of it is still to hand out.
  let at = 0;
  let left = 0;
  return {
    sampleRate: input.sampleRate,
    channelCount: 2,
    frames: run.frames,
    read(into, count) {
      let done = 0;
      while (done < count) {
        if (left === 0) {
          left = run.next();
          at = 0;
          if (left === 0) break;
        }
        const n = Math.min(left, count - done);
        // Copied by a loop, not through subarray views: nothing made per block.
        const intoL = into[0] as Float32Array;
        const intoR = into[1] as Float32Array;
        const blockL = run.block[0];
        const blockR = run.block[1];
        for (let i = 0; i < n; i++) {
          intoL[done + i] = blockL[at + i] as number;
          intoR[done + i] = blockR[at + i] as number;
        }
        at += n;
        left -= n;
        done += n;
      }
      return done;
    },
  };
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

/** The whole mix in memory (the app's master): streamMix over decoded sources, gathered. */
export function renderMix(
  input: MixInput & { sources: readonly MixSource[] },
  opts: RenderOptions = {},
): AudioData {
  return gatherMix(
    { ...input, sources: input.sources.map((s) => ({ trackId: s.trackId, source: memorySource(s.audio) })) },
    opts,
  );
}

/** streamMix's blocks gathered into one stereo buffer of the mix's length. */
export function gatherMix(
  input: MixInput & { sources: readonly MixStream[] },
  opts: RenderOptions = {},
): AudioData {
  const frames = mixLength(input.tracks, input.sources, input.sampleRate);
  const channels = [new Float32Array(frames), new Float32Array(frames)];
  let at = 0;
  streamMix(
    input,
    (block, count) => {
      channels[0]?.set(block[0].subarray(0, count), at);
      channels[1]?.set(block[1].subarray(0, count), at);
      at += count;
    },
    opts,
  );
  return { sampleRate: input.sampleRate, channels };
}
