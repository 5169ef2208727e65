/** Min/max per bucket, computed once per source, for drawing waveforms at any zoom. */
export function computePeaks(
  channel: Float32Array,
  buckets: number,
): { min: Float32Array; max: Float32Array } {
  const count = Math.max(1, Math.floor(buckets));
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  const per = channel.length / count;
  for (let b = 0; b < count; b++) {
    const from = Math.floor(b * per);
    const to = Math.max(from + 1, Math.floor((b + 1) * per));
    let lo = 0;
    let hi = 0;
    for (let i = from; i < to && i < channel.length; i++) {
      const x = channel[i] as number;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    min[b] = lo;
    max[b] = hi;
  }
  return { min, max };
}
