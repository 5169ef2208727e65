import type { Track } from '../../contracts/project';
import type { ClipFades } from '../dsp/fades';

/**
 * Where a track's clip sits, in frames at the mix's rate: its first frame on the timeline
 * (`offset`), the source frame it starts from (`trim`), how many frames it plays (`length`), and its
 * fades, no longer than the clip. The one reading of a clip's seconds as frames: the export's render
 * and the preview both take it from here, so both start, end and fade on the same samples.
 */
export type ClipSpan = { offset: number; trim: number; length: number; fades: ClipFades };

export function clipSpan(
  track: Pick<Track, 'startOffsetSec' | 'clip'>,
  sourceFrames: number,
  rate: number,
): ClipSpan {
  const clip = track.clip;
  const trim = Math.min(sourceFrames, Math.round(clip.trimStartSec * rate));
  const available = sourceFrames - trim;
  const length = clip.lengthSec === null ? available : Math.min(available, Math.round(clip.lengthSec * rate));
  return {
    offset: Math.round(track.startOffsetSec * rate),
    trim,
    length,
    fades: {
      lengthFrames: length,
      inFrames: Math.min(length, Math.round(clip.fadeInSec * rate)),
      outFrames: Math.min(length, Math.round(clip.fadeOutSec * rate)),
      inCurve: clip.fadeInCurve,
      outCurve: clip.fadeOutCurve,
    },
  };
}
