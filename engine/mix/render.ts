import type { MasterSettings, Track } from '../../contracts/project';
import type { AudioData } from '../audio-data';
import { type Biquad, BiquadState, biquadCoefficients } from '../dsp/biquad';
import { Compressor } from '../dsp/compressor';
import { applyFades, type ClipFades } from '../dsp/fades';
import { dbToGain, isAudible, panGains } from '../dsp/laws';
import { type FrameSource, memorySource, resampledSource, stereoSource } from '../io/sources';
import { clipSpan } from './clip-span';

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

type Strip = {
  /** The source, mono or stereo at the project rate, read a block at a time. */
  source: FrameSource;
  offset: number;
  /** Source frames (at the project rate) still to skip before the clip starts: its trim. */
  skip: number;
  /** The clip's length in frames at the project rate. */
  length: number;
  fades: ClipFades;
  gain: number;
  pan: { left: number; right: number };
  eq: BiquadState[][];
  compressor: Compressor | null;
};

function eqStages(track: Track, rate: number): Biquad[] {
  const { low, mid, high } = track.eq;
  const stages: Biquad[] = [];
  // A band at 0 dB is the identity; skipping it saves work without changing the sound.
  if (low.gainDb !== 0)
    stages.push(biquadCoefficients('lowshelf', low.freqHz, low.gainDb, Math.SQRT1_2, rate));
  if (mid.gainDb !== 0) stages.push(biquadCoefficients('peaking', mid.freqHz, mid.gainDb, mid.q, rate));
  if (high.gainDb !== 0)
    stages.push(biquadCoefficients('highshelf', high.freqHz, high.gainDb, Math.SQRT1_2, rate));
  return stages;
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

export type MixInput = {
  tracks: readonly Track[];
  master: Pick<MasterSettings, 'gainDb'>;
  sampleRate: number;
};

/**
 * Renders the stereo mix block by block: per track gain → EQ → compressor → constant-power pan,
 * summed, then the master gain. Each source is read front to back a block at a time (downmixed to
 * stereo and resampled on the way when it needs it), and each finished block is handed to
 * `onBlock` (valid until the next one): memory is a few blocks per track, whatever the length.
 * Progress is reported per block; the render stops at the next block once cancelled.
 */
export function streamMix(
  input: MixInput & { sources: readonly MixStream[] },
  onBlock: (block: readonly [Float32Array, Float32Array], count: number) => void,
  opts: RenderOptions = {},
): number {
  const rate = input.sampleRate;
  const blockSize = opts.blockSize ?? 4096;
  const frames = mixLength(input.tracks, input.sources, rate);
  const out = [new Float32Array(blockSize), new Float32Array(blockSize)] as const;
  const anySolo = input.tracks.some((t) => t.solo && !t.mute);
  const strips: Strip[] = [];
  for (const track of input.tracks) {
    const found = input.sources.find((s) => s.trackId === track.id);
    if (!found || !isAudible(track, anySolo)) continue;
    const stages = eqStages(track, rate);
    const source = resampledSource(stereoSource(found.source, blockSize), rate);
    const span = clipSpan(track, source.frames, rate);
    strips.push({
      source,
      offset: span.offset,
      skip: span.trim,
      length: span.length,
      fades: span.fades,
      gain: dbToGain(track.gainDb),
      pan: panGains(track.pan),
      eq: [0, 1].map(() => stages.map((c) => new BiquadState(c))),
      compressor: track.compressor.enabled ? new Compressor(track.compressor, rate) : null,
    });
  }
  const masterGain = dbToGain(input.master.gainDb);
  const scratch = [new Float32Array(blockSize), new Float32Array(blockSize)];
  for (let start = 0; start < frames; start += blockSize) {
    if (opts.signal?.aborted) throw new RenderCancelledError();
    const end = Math.min(frames, start + blockSize);
    out[0].fill(0);
    out[1].fill(0);
    for (const strip of strips) {
      const from = Math.max(start, strip.offset);
      const to = Math.min(end, strip.offset + strip.length);
      if (from >= to) continue;
      const sl = scratch[0] as Float32Array;
      const sr = scratch[1] as Float32Array;
      // A trimmed clip starts inside its source: read past the trim once, a block at a time.
      while (strip.skip > 0) {
        const skipped = strip.source.read(
          strip.source.channelCount === 1 ? [sl] : scratch,
          Math.min(blockSize, strip.skip),
        );
        if (skipped === 0) break;
        strip.skip -= skipped;
      }
      const n = strip.source.read(strip.source.channelCount === 1 ? [sl] : scratch, to - from);
      if (strip.source.channelCount === 1) sr.set(sl.subarray(0, n));
      const gain = strip.gain;
      if (gain !== 1)
        for (let i = 0; i < n; i++) {
          sl[i] = (sl[i] as number) * gain;
          sr[i] = (sr[i] as number) * gain;
        }
      // Fades are the clip's own gain, before the strip's processing.
      applyFades(scratch as Float32Array[], 0, n, from - strip.offset, strip.fades);
      for (let c = 0; c < 2; c++) {
        const buf = scratch[c] as Float32Array;
        for (const stage of strip.eq[c] as BiquadState[]) stage.processBlock(buf, n);
      }
      strip.compressor?.process(scratch, 0, n);
      const o = from - start;
      const { left, right } = strip.pan;
      // The bus as plain locals: the loop then compiles to loads, multiplies and stores only.
      const busL = out[0];
      const busR = out[1];
      for (let i = 0; i < n; i++) {
        busL[o + i] = (busL[o + i] as number) + (sl[i] as number) * left;
        busR[o + i] = (busR[o + i] as number) + (sr[i] as number) * right;
      }
    }
    if (masterGain !== 1) {
      for (let c = 0; c < 2; c++)
        for (let i = 0; i < end - start; i++) out[c][i] = (out[c][i] as number) * masterGain;
    }
    onBlock(out, end - start);
    opts.onProgress?.(end / frames);
  }
  if (frames === 0) opts.onProgress?.(1);
  return frames;
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
