/**
 * Clip fades, sample-accurate and block-based: the gain at clip frame p (0 = the clip's first frame
 * on the timeline, L its length) is curveIn(p / fadeIn) · curveOut((L − p) / fadeOut), each term 1
 * outside its fade. Linear is the straight line; equal-power is sin(x·π/2), whose square and its
 * mirror's square sum to 1, so a crossfade keeps the loudness. The preview and the export both
 * compute a block's gains with `fadeGain`, one frame at a time, so both apply the same numbers.
 */
export type FadeCurve = 'linear' | 'equalPower';
export type ClipFades = {
  /** Length of the clip on the timeline, in frames. */
  lengthFrames: number;
  inFrames: number;
  outFrames: number;
  inCurve: FadeCurve;
  outCurve: FadeCurve;
};

export function curveGain(curve: FadeCurve, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return curve === 'linear' ? x : Math.sin((x * Math.PI) / 2);
}

/** The fades' gain at clip frame `p`. */
export function fadeGain(fades: ClipFades, p: number): number {
  let g = 1;
  if (fades.inFrames > 0 && p < fades.inFrames) g *= curveGain(fades.inCurve, p / fades.inFrames);
  const fromEnd = fades.lengthFrames - p;
  if (fades.outFrames > 0 && fromEnd < fades.outFrames)
    g *= curveGain(fades.outCurve, fromEnd / fades.outFrames);
  return g;
}

export function hasFades(fades: ClipFades): boolean {
  return fades.inFrames > 0 || fades.outFrames > 0;
}

/**
 * Multiplies `n` frames of each channel, starting at index `at`, by the fades' gain from clip frame
 * `clipFrame` on. Frames of a block outside any fade are left untouched (a gain of exactly 1).
 */
export function applyFades(
  channels: readonly Float32Array[],
  at: number,
  n: number,
  clipFrame: number,
  fades: ClipFades,
): void {
  if (!hasFades(fades)) return;
  const outStart = fades.lengthFrames - fades.outFrames;
  // Only the frames inside a fade need work; the middle of a long clip costs nothing.
  if (clipFrame >= fades.inFrames && clipFrame + n <= outStart) return;
  for (let i = 0; i < n; i++) {
    const g = fadeGain(fades, clipFrame + i);
    if (g === 1) continue;
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c] as Float32Array;
      ch[at + i] = (ch[at + i] as number) * g;
    }
  }
}
