/** dB to linear gain. */
export const dbToGain = (db: number): number => 10 ** (db / 20);
/** Linear gain to dB; silence is −∞. */
export const gainToDb = (gain: number): number =>
  gain > 0 ? 20 * Math.log10(gain) : Number.NEGATIVE_INFINITY;

/**
 * Constant-power pan, −3 dB at centre: θ = (pan + 1)·π/4, left = cos θ, right = sin θ. A mono source
 * feeds both sides; a stereo source keeps its left and right and is scaled by the same pair (a
 * constant-power balance). The preview applies these gains with GainNodes, so it pans identically.
 */
export function panGains(pan: number): { left: number; right: number } {
  const p = Math.max(-1, Math.min(1, pan));
  const theta = ((p + 1) * Math.PI) / 4;
  return { left: Math.cos(theta), right: Math.sin(theta) };
}

/** Solo-in-place: any solo silences every unsoloed track; mute always wins. */
export function isAudible(track: { mute: boolean; solo: boolean }, anySolo: boolean): boolean {
  if (track.mute) return false;
  return anySolo ? track.solo : true;
}
