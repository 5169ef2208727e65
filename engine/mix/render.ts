import type { MasterSettings, Track } from '../../contracts/project';
import type { AudioData } from '../audio-data';
import { type Biquad, BiquadState, biquadCoefficients } from '../dsp/biquad';
import { Compressor } from '../dsp/compressor';
import { applyFades, type ClipFades } from '../dsp/fades';
import { dbToGain, isAudible, panGains } from '../dsp/laws';
import { resampledLength, resampleRange } from '../dsp/resample';
import { clipSpan } from './clip-span';

export type MixSource = { trackId: string; audio: AudioData };
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
  /** The source as decoded, at its own rate: resampled a block at a time, never copied whole. */
  source: AudioData;
  /** The clip's length in frames at the project rate. */
  length: number;
  offset: number;
  /** The source frame (at the project rate) the clip starts from. */
  trim: number;
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
  sources: readonly MixSource[],
  sampleRate: number,
): number {
  let frames = 0;
  for (const track of tracks) {
    const source = sources.find((s) => s.trackId === track.id);
    if (!source) continue;
    const length = Math.round(
      ((source.audio.channels[0]?.length ?? 0) * sampleRate) / source.audio.sampleRate,
    );
    const span = clipSpan(track, length, sampleRate);
    frames = Math.max(frames, span.offset + span.length);
  }
  return frames;
}

/**
 * Renders the stereo mix block by block: per track gain → EQ → compressor → constant-power pan,
 * summed, then the master gain. Working memory beyond the sources and the output is one block per
 * track; progress is reported per block and the render stops at the next block once cancelled.
 */
export function renderMix(
  input: {
    tracks: readonly Track[];
    master: Pick<MasterSettings, 'gainDb'>;
    sampleRate: number;
    sources: readonly MixSource[];
  },
  opts: RenderOptions = {},
): AudioData {
  const rate = input.sampleRate;
  const blockSize = opts.blockSize ?? 4096;
  const frames = mixLength(input.tracks, input.sources, rate);
  const out = [new Float32Array(frames), new Float32Array(frames)] as const;
  const anySolo = input.tracks.some((t) => t.solo && !t.mute);
  const strips: Strip[] = [];
  for (const track of input.tracks) {
    const found = input.sources.find((s) => s.trackId === track.id);
    if (!found || !isAudible(track, anySolo)) continue;
    const source = found.audio;
    const stages = eqStages(track, rate);
    const span = clipSpan(
      track,
      resampledLength(source.channels[0]?.length ?? 0, source.sampleRate, rate),
      rate,
    );
    strips.push({
      source,
      length: span.length,
      offset: span.offset,
      trim: span.trim,
      fades: span.fades,
      gain: dbToGain(track.gainDb),
      pan: panGains(track.pan),
      eq: [0, 1].map(() => stages.map((c) => new BiquadState(c))),
      compressor: track.compressor.enabled ? new Compressor(track.compressor, rate) : null,
    });
  }
  const masterGain = dbToGain(input.master.gainDb);
  const scratch = [new Float32Array(blockSize), new Float32Array(blockSize)];
  // One block of a source at another rate, brought to the project rate.
  const atRate = [new Float32Array(blockSize), new Float32Array(blockSize)];
  for (let start = 0; start < frames; start += blockSize) {
    if (opts.signal?.aborted) throw new RenderCancelledError();
    const end = Math.min(frames, start + blockSize);
    for (const strip of strips) {
      const from = Math.max(start, strip.offset);
      const to = Math.min(end, strip.offset + strip.length);
      if (from >= to) continue;
      const n = to - from;
      let left = strip.source.channels[0] as Float32Array;
      let right = (strip.source.channels[1] ?? left) as Float32Array;
      let at = from - strip.offset + strip.trim;
      if (strip.source.sampleRate !== rate) {
        const l = atRate[0] as Float32Array;
        const r = atRate[1] as Float32Array;
        resampleRange(left, strip.source.sampleRate, rate, at, n, l);
        if (right === left) r.set(l.subarray(0, n));
        else resampleRange(right, strip.source.sampleRate, rate, at, n, r);
        left = l;
        right = r;
        at = 0;
      }
      const sl = scratch[0] as Float32Array;
      const sr = scratch[1] as Float32Array;
      for (let i = 0; i < n; i++) {
        sl[i] = (left[at + i] as number) * strip.gain;
        sr[i] = (right[at + i] as number) * strip.gain;
      }
      // Fades are the clip's own gain, before the strip's fader and processing.
      applyFades(scratch as Float32Array[], 0, n, from - strip.offset, strip.fades);
      for (let c = 0; c < 2; c++) {
        const buf = scratch[c] as Float32Array;
        for (const stage of strip.eq[c] as BiquadState[])
          for (let i = 0; i < n; i++) buf[i] = stage.process(buf[i] as number);
      }
      strip.compressor?.process(scratch, 0, n);
      for (let i = 0; i < n; i++) {
        out[0][from + i] = (out[0][from + i] as number) + (sl[i] as number) * strip.pan.left;
        out[1][from + i] = (out[1][from + i] as number) + (sr[i] as number) * strip.pan.right;
      }
    }
    if (masterGain !== 1) {
      for (let c = 0; c < 2; c++)
        for (let i = start; i < end; i++) out[c][i] = (out[c][i] as number) * masterGain;
    }
    opts.onProgress?.(end / frames);
  }
  if (frames === 0) opts.onProgress?.(1);
  return { sampleRate: rate, channels: [out[0], out[1]] };
}
