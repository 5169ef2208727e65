import type { AudioData } from '../audio-data';
import { type PlanarAudio, planarSource } from '../io/planar';
import { resampledSource, stereoSource } from '../io/sources';
import type { FrameSource } from '../io/sources';
import {
  mixFrameSource,
  mixLength,
  type MixInput,
  type MixStream,
  type RenderOptions,
  streamMix,
} from './render';

/** A track's decoded source, its channels float or 16-bit. */
export type PlanarMixSource = { trackId: string; audio: PlanarAudio };

/**
 * renderMix over sources that may hold 16-bit channels: each is read through planarSource (a block
 * converted at a time), so the mix is sample for sample renderMix's over the same values as float.
 */
export function renderPlanarMix(
  input: MixInput & { sources: readonly PlanarMixSource[] },
  opts: RenderOptions = {},
): AudioData {
  const sources: MixStream[] = input.sources.map((s) => ({
    trackId: s.trackId,
    source: planarSource(s.audio),
  }));
  const frames = mixLength(input.tracks, sources, input.sampleRate);
  const channels = [new Float32Array(frames), new Float32Array(frames)];
  let at = 0;
  streamMix(
    { ...input, sources },
    (block, count) => {
      channels[0]?.set(block[0].subarray(0, count), at);
      channels[1]?.set(block[1].subarray(0, count), at);
      at += count;
    },
    opts,
  );
  return { sampleRate: input.sampleRate, channels };
}

/** mixFrameSource over sources that may hold 16-bit channels: the mix pulled as it is encoded. */
export function planarMixFrameSource(
  input: MixInput & { sources: readonly PlanarMixSource[] },
  opts: RenderOptions = {},
): FrameSource {
  return mixFrameSource(
    { ...input, sources: input.sources.map((s) => ({ trackId: s.trackId, source: planarSource(s.audio) })) },
    opts,
  );
}

/** Frames converted per step (as mixSourceSteps). */
const CHUNK = 65536;

/**
 * mixSourceSteps for planar sources: the source as the mix hears it (mono or stereo at the mix's
 * rate). Already so, its own channels come back, 16-bit ones included (the preview reads them as they
 * are); else a float copy is made a chunk per step, the frames streamMix reads.
 */
export function* planarMixSourceSteps(
  audio: PlanarAudio,
  rate: number,
): Generator<void, readonly (Float32Array | Int16Array)[], void> {
  if (audio.sampleRate === rate && audio.channels.length <= 2) return audio.channels;
  const source = resampledSource(stereoSource(planarSource(audio), CHUNK), rate);
  const channels = Array.from({ length: source.channelCount }, () => new Float32Array(source.frames));
  const buffers = channels.map(() => new Float32Array(CHUNK));
  for (let at = 0; at < source.frames; ) {
    const n = source.read(buffers, Math.min(CHUNK, source.frames - at));
    if (n === 0) break;
    channels.forEach((ch, c) => {
      ch.set((buffers[c] as Float32Array).subarray(0, n), at);
    });
    at += n;
    if (at < source.frames) yield;
  }
  return channels;
}
