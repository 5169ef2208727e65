import type { AudioData } from '../audio-data';
import { type PlanarAudio, planarSource } from '../io/planar';
import type { FrameSource } from '../io/sources';
import { sourceSteps } from './mix-source';
import { gatherMix, mixFrameSource, type MixInput, type MixStream, type RenderOptions } from './render';

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
  return gatherMix({ ...input, sources }, opts);
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

/**
 * mixSourceSteps for planar sources: the source as the mix hears it (mono or stereo at the mix's
 * rate). Already so, its own channels come back, 16-bit ones included (the preview reads them as they
 * are); else a float copy is made a chunk per step, the frames streamMix reads.
 */
export function planarMixSourceSteps(
  audio: PlanarAudio,
  rate: number,
): Generator<void, readonly (Float32Array | Int16Array)[], void> {
  return sourceSteps(audio, planarSource(audio), rate);
}
