import type { AudioData } from '../audio-data';
import { oversampledPeaks } from '../loudness/true-peak';

/**
 * Lookahead true-peak limiter. For each sample it needs the gain that keeps the sample's
 * neighbourhood (its oversampled peak) under the ceiling; a running minimum over the lookahead
 * window, then a moving average over the same window, gives a smooth gain that has fully arrived by
 * the time each peak passes. Release recovers exponentially.
 */
export function limitTruePeak(
  audio: AudioData,
  ceilingDb: number,
  opts: {
    lookaheadMs?: number;
    releaseMs?: number;
    /** Gain to apply before limiting (the limiter then sees audio × inputGain). */
    inputGain?: number;
    /** Oversampled peaks of `audio` at unity gain, when the caller already has them (they scale with the gain). */
    peaks?: readonly Float32Array[];
  } = {},
): AudioData {
  const inputGain = opts.inputGain ?? 1;
  const rate = audio.sampleRate;
  const frames = audio.channels[0]?.length ?? 0;
  const window = Math.max(1, Math.round(((opts.lookaheadMs ?? 5) / 1000) * rate));
  const releaseCoeff = Math.exp(-1 / (((opts.releaseMs ?? 80) / 1000) * rate));
  const ceiling = 10 ** (ceilingDb / 20);

  // What each sample needs: its oversampled peak and its neighbours' (the interpolator's alignment
  // is known to within a sample).
  const required = new Float32Array(frames).fill(1);
  const allPeaks = opts.peaks ?? audio.channels.map((channel) => oversampledPeaks(channel, rate));
  for (const peaks of allPeaks) {
    for (let i = 0; i < frames; i++) {
      const peak =
        inputGain *
        Math.max(peaks[i] as number, (peaks[i - 1] ?? 0) as number, (peaks[i + 1] ?? 0) as number);
      if (peak > ceiling) required[i] = Math.min(required[i] as number, ceiling / peak);
    }
  }

  // Running minimum over [i, i + window), then release, then moving average over the window.
  const held = new Float32Array(frames);
  const deque: number[] = [];
  let head = 0;
  for (let i = frames - 1; i >= 0; i--) {
    while (
      deque.length > head &&
      (required[deque[deque.length - 1] as number] as number) >= (required[i] as number)
    )
      deque.pop();
    deque.push(i);
    while ((deque[head] as number) >= i + window) head++;
    held[i] = required[deque[head] as number] as number;
  }
  let g = 1;
  for (let i = 0; i < frames; i++) {
    const target = held[i] as number;
    g = target < g ? target : target + releaseCoeff * (g - target);
    held[i] = Math.min(g, target);
  }
  const gain = new Float32Array(frames);
  let sum = 0;
  for (let i = 0; i < frames; i++) {
    sum += held[i] as number;
    if (i >= window) sum -= held[i - window] as number;
    // Before a full window, pad with held[0]: the minimum over the first window, which covers i.
    gain[i] = i >= window - 1 ? sum / window : (sum + (window - 1 - i) * (held[0] as number)) / window;
  }
  // The average at i covers held[i-window+1..i]; each of those already saw i's peak within its window,
  // so gain[i] ≤ required[i].
  return {
    sampleRate: rate,
    channels: audio.channels.map((ch) => ch.map((x, i) => x * inputGain * (gain[i] as number))),
  };
}
