import { newProject, newTrack, type ProjectFile, type Track } from '../contracts/project';
import { mulberry32 } from '../engine/dsp/random';

export const RATE = 48000;
/** Distinct sources the tracks take in turn (memory stays small at 32 tracks). */
const SOURCES = 4;

/**
 * The worklet benchmark's session: `count` tracks, every one with its three EQ bands, its compressor
 * and its reverb send on (pre- and post-fader in turn), the bus at its defaults; noise sources.
 */
export function benchSession(
  count: number,
  seconds: number,
): {
  project: ProjectFile;
  sources: Array<{ id: string; channels: Float32Array[] }>;
} {
  const base = newProject('worklet bench', RATE as 48000);
  const pool = Array.from({ length: SOURCES }, (_, s) => {
    const rng = mulberry32(s + 1);
    const n = Math.round(seconds * RATE);
    return [0, 1].map(() => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * 0.3));
  });
  const tracks: Track[] = Array.from({ length: count }, (_, i) => ({
    ...newTrack(`t${i}`, `Track ${i + 1}`, `t${i}.wav`),
    gainDb: -6 + (i % 5),
    pan: ((i % 7) - 3) / 4,
    eq: {
      low: { gainDb: 3, freqHz: 100 },
      mid: { gainDb: -2, freqHz: 800 + 50 * i, q: 1.2 },
      high: { gainDb: 2, freqHz: 9000 },
    },
    compressor: { enabled: true, thresholdDb: -20, ratio: 3, attackMs: 5, releaseMs: 120, makeupDb: 2 },
    send: { enabled: true, levelDb: -12, preFader: i % 2 === 0 },
  }));
  return {
    project: { ...base, tracks },
    sources: tracks.map((t, i) => ({ id: t.id, channels: pool[i % SOURCES] as Float32Array[] })),
  };
}
