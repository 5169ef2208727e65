import type { ClipSettings, FadeCurve, Track } from '../../contracts/project';

/**
 * Editing a track's clip on the timeline, in seconds: move it, trim either edge, set its fades. Pure;
 * the mix reducer records each as an undo step (a drag is one gesture). `sourceSec` is the source's
 * duration, which the project does not hold: an edge cannot be pulled past the audio there is.
 */
export type ClipEdit =
  | { kind: 'move'; startSec: number }
  /** The clip's first heard sample goes to `atSec` on the timeline; the audio stays where it was. */
  | { kind: 'trimStart'; atSec: number }
  /** The clip's end goes to `atSec` on the timeline. */
  | { kind: 'trimEnd'; atSec: number }
  | { kind: 'fadeIn'; sec: number }
  | { kind: 'fadeOut'; sec: number }
  | { kind: 'curve'; which: 'in' | 'out'; curve: FadeCurve };

/** The shortest clip an edge can leave: 10 ms, the snapping grid. */
export const MIN_CLIP_SEC = 0.01;
export const SNAP_GRID_SEC = 0.01;

/** How long the clip plays, in seconds. */
export function clipLength(clip: ClipSettings, sourceSec: number): number {
  const available = Math.max(0, sourceSec - clip.trimStartSec);
  return clip.lengthSec === null ? available : Math.min(available, clip.lengthSec);
}

/** The clip's span on the timeline, in seconds. */
export function clipBounds(track: Track, sourceSec: number): { start: number; end: number } {
  return { start: track.startOffsetSec, end: track.startOffsetSec + clipLength(track.clip, sourceSec) };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** Times on a microsecond grid: a drag's float noise never becomes a change of its own. */
const tidy = (x: number) => Math.round(x * 1e6) / 1e6;

export function editClip(track: Track, edit: ClipEdit, sourceSec: number): Track {
  if (!Number.isFinite(sourceSec) || sourceSec <= 0) return track;
  const clip = track.clip;
  const length = clipLength(clip, sourceSec);
  const settle = (next: ClipSettings, start: number): Track => {
    const len = clipLength(next, sourceSec);
    // Fades never outgrow the clip, and the fade out gives way to the fade in.
    const fadeInSec = tidy(clamp(next.fadeInSec, 0, len));
    const fadeOutSec = tidy(clamp(next.fadeOutSec, 0, len - fadeInSec));
    return { ...track, startOffsetSec: tidy(start), clip: { ...next, fadeInSec, fadeOutSec } };
  };
  switch (edit.kind) {
    case 'move': {
      if (!Number.isFinite(edit.startSec)) return track;
      return settle(clip, clamp(edit.startSec, 0, 24 * 3600));
    }
    case 'trimStart': {
      if (!Number.isFinite(edit.atSec)) return track;
      // The audio stays put: the trim moves by what the start moves, within the source and the song.
      const delta = clamp(
        edit.atSec - track.startOffsetSec,
        Math.max(-clip.trimStartSec, -track.startOffsetSec),
        length - MIN_CLIP_SEC,
      );
      const trimStartSec = tidy(clip.trimStartSec + delta);
      const lengthSec = tidy(length - delta);
      return settle(
        { ...clip, trimStartSec, lengthSec: wholeOrLength(lengthSec, trimStartSec, sourceSec) },
        track.startOffsetSec + delta,
      );
    }
    case 'trimEnd': {
      if (!Number.isFinite(edit.atSec)) return track;
      const lengthSec = tidy(
        clamp(edit.atSec - track.startOffsetSec, MIN_CLIP_SEC, sourceSec - clip.trimStartSec),
      );
      return settle(
        { ...clip, lengthSec: wholeOrLength(lengthSec, clip.trimStartSec, sourceSec) },
        track.startOffsetSec,
      );
    }
    case 'fadeIn':
      if (!Number.isFinite(edit.sec)) return track;
      return settle({ ...clip, fadeInSec: edit.sec }, track.startOffsetSec);
    case 'fadeOut':
      if (!Number.isFinite(edit.sec)) return track;
      return settle({ ...clip, fadeOutSec: edit.sec }, track.startOffsetSec);
    case 'curve':
      return settle(
        edit.which === 'in' ? { ...clip, fadeInCurve: edit.curve } : { ...clip, fadeOutCurve: edit.curve },
        track.startOffsetSec,
      );
  }
}

/** A length reaching the source's end is saved as "to the end" (null), as a fresh clip is. */
function wholeOrLength(lengthSec: number, trimStartSec: number, sourceSec: number): number | null {
  return Math.abs(trimStartSec + lengthSec - sourceSec) < 1e-6 ? null : lengthSec;
}

/**
 * Where a dragged time lands: on another clip's edge when within `reachSec` (the nearest wins),
 * else on the 10 ms grid. Alt held while dragging turns snapping off (`snap` false).
 */
export function snapTime(t: number, edges: readonly number[], reachSec: number, snap: boolean): number {
  if (!snap) return Math.max(0, t);
  let best: number | null = null;
  for (const edge of edges) {
    if (Math.abs(edge - t) <= reachSec && (best === null || Math.abs(edge - t) < Math.abs(best - t)))
      best = edge;
  }
  if (best !== null) return best;
  return Math.max(0, Math.round(t / SNAP_GRID_SEC) * SNAP_GRID_SEC);
}

/** A moved clip's new start: its start or its end on the nearest edge in reach, else the grid. */
export function snapMove(
  startSec: number,
  lengthSec: number,
  edges: readonly number[],
  reachSec: number,
  snap: boolean,
): number {
  if (!snap) return Math.max(0, startSec);
  let best: number | null = null;
  for (const edge of edges) {
    for (const candidate of [edge, edge - lengthSec]) {
      const distance = Math.abs(candidate - startSec);
      if (candidate >= 0 && distance <= reachSec && (best === null || distance < Math.abs(best - startSec)))
        best = candidate;
    }
  }
  return best ?? snapTime(startSec, [], 0, true);
}
