import { INT16_SCALE } from '../../engine/io/planar';

/**
 * A waveform's peak pyramid: min/max per bucket at successive halvings of detail, computed once per
 * source (in the engine Worker) so that any zoom draws from the level nearest the detail it needs,
 * touching only the buckets it shows. Level 0 holds `baseFrames` frames per bucket; each next level
 * merges pairs of the previous one, down to a single bucket for the whole file. Channels are merged
 * (min of mins, max of maxes): one waveform per track. Pure.
 */
export type PeakLevel = {
  /** Frames of the source per bucket. */
  framesPerBucket: number;
  min: Float32Array;
  max: Float32Array;
};
export type PeakPyramid = {
  /** Frames of the source (the length of its channels). */
  frames: number;
  levels: PeakLevel[];
};

/** 256 frames per bucket: ~5 ms at 48 kHz, fine enough for trimming by eye at the desk's zooms. */
export const BASE_FRAMES = 256;

export function buildPyramid(
  channels: readonly (Float32Array | Int16Array)[],
  baseFrames = BASE_FRAMES,
): PeakPyramid {
  if (!Number.isInteger(baseFrames) || baseFrames < 1)
    throw new Error('baseFrames must be a positive integer');
  const frames = channels.reduce((n, c) => Math.max(n, c.length), 0);
  const count = Math.max(1, Math.ceil(frames / baseFrames));
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  for (let b = 0; b < count; b++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    const from = b * baseFrames;
    const to = Math.min(frames, from + baseFrames);
    for (const channel of channels) {
      const end = Math.min(to, channel.length);
      let cLo = Number.POSITIVE_INFINITY;
      let cHi = Number.NEGATIVE_INFINITY;
      for (let i = from; i < end; i++) {
        const v = channel[i] as number;
        if (v < cLo) cLo = v;
        if (v > cHi) cHi = v;
      }
      // A 16-bit source's samples are read as value / 32768 (the scale is exact: a power of two).
      const scale = channel instanceof Int16Array ? INT16_SCALE : 1;
      if (cLo * scale < lo) lo = cLo * scale;
      if (cHi * scale > hi) hi = cHi * scale;
      // Past a shorter channel's end it is silent, as it sounds.
      if (end < to) {
        lo = Math.min(lo, 0);
        hi = Math.max(hi, 0);
      }
    }
    min[b] = Number.isFinite(lo) ? lo : 0;
    max[b] = Number.isFinite(hi) ? hi : 0;
  }
  const levels: PeakLevel[] = [{ framesPerBucket: baseFrames, min, max }];
  let level = levels[0] as PeakLevel;
  while (level.min.length > 1) {
    const n = Math.ceil(level.min.length / 2);
    const nextMin = new Float32Array(n);
    const nextMax = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const a = 2 * i;
      const b = Math.min(a + 1, level.min.length - 1);
      nextMin[i] = Math.min(level.min[a] as number, level.min[b] as number);
      nextMax[i] = Math.max(level.max[a] as number, level.max[b] as number);
    }
    level = { framesPerBucket: level.framesPerBucket * 2, min: nextMin, max: nextMax };
    levels.push(level);
  }
  return { frames, levels };
}

/**
 * The level to draw `framesPerPixel` from: the coarsest whose buckets are no wider than a pixel, so
 * that each pixel still sees its true min/max (from one to two buckets each, a handful at the
 * edges); the finest level when pixels are narrower than its buckets.
 */
export function chooseLevel(pyramid: PeakPyramid, framesPerPixel: number): number {
  let chosen = 0;
  for (let i = 1; i < pyramid.levels.length; i++) {
    if ((pyramid.levels[i] as PeakLevel).framesPerBucket <= framesPerPixel) chosen = i;
    else break;
  }
  return chosen;
}

/**
 * Per pixel column, the min and max of the source from `startFrame` over `framesPerPixel` frames a
 * column, for `columns` columns, read from the chosen level. Each column covers the buckets its frame
 * range overlaps (at least one): the peaks of a column are never missed, at worst widened by part
 * of a neighbouring bucket. Columns past the source's end read 0.
 */
export function columnPeaks(
  pyramid: PeakPyramid,
  startFrame: number,
  framesPerPixel: number,
  columns: number,
  out: { min: Float32Array; max: Float32Array } = {
    min: new Float32Array(columns),
    max: new Float32Array(columns),
  },
): { min: Float32Array; max: Float32Array; level: number } {
  const levelIndex = chooseLevel(pyramid, framesPerPixel);
  const level = pyramid.levels[levelIndex] as PeakLevel;
  const size = level.framesPerBucket;
  const buckets = level.min.length;
  for (let x = 0; x < columns; x++) {
    const from = startFrame + x * framesPerPixel;
    const to = from + framesPerPixel;
    const a = Math.max(0, Math.floor(from / size));
    const b = Math.min(buckets, Math.max(a + 1, Math.ceil(to / size)));
    let lo = 0;
    let hi = 0;
    if (from < pyramid.frames && to > 0 && a < buckets) {
      lo = level.min[a] as number;
      hi = level.max[a] as number;
      for (let i = a + 1; i < b; i++) {
        const l = level.min[i] as number;
        const h = level.max[i] as number;
        if (l < lo) lo = l;
        if (h > hi) hi = h;
      }
    }
    out.min[x] = lo;
    out.max[x] = hi;
  }
  return { min: out.min, max: out.max, level: levelIndex };
}

/** Every level's buffers, to transfer the pyramid between threads without copying. */
export function pyramidBuffers(pyramid: PeakPyramid): ArrayBuffer[] {
  return pyramid.levels.flatMap((l) => [l.min.buffer as ArrayBuffer, l.max.buffer as ArrayBuffer]);
}
