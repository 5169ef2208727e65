import { besselI0 } from './kaiser';
import type { AudioData } from '../audio-data';

const ZERO_CROSSINGS = 32;
const KAISER_BETA = 9;

const TABLE_STEPS = 512;

/** The windowed-sinc kernel tabulated over |t|·cutoff ∈ [0, ZERO_CROSSINGS], TABLE_STEPS per crossing. */
const kernelTable = (() => {
  const size = ZERO_CROSSINGS * TABLE_STEPS + 2;
  const table = new Float64Array(size);
  const norm = besselI0(KAISER_BETA);
  for (let i = 0; i < size; i++) {
    const u = i / TABLE_STEPS;
    const x = Math.PI * u;
    const r = u / ZERO_CROSSINGS;
    table[i] =
      (x === 0 ? 1 : Math.sin(x) / x) * (r >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / norm);
  }
  return table;
})();

/** Frames a source of `inLength` frames has once resampled from `fromRate` to `toRate`. */
export function resampledLength(inLength: number, fromRate: number, toRate: number): number {
  return Math.floor((inLength * toRate) / fromRate);
}

/**
 * Band-limited resampling by a Kaiser-windowed sinc (32 zero crossings each side). When going down
 * in rate, the cut-off moves to the new Nyquist (with a 5 % guard band) so nothing aliases.
 *
 * Writes output frames [first, first + count) of `input` resampled from `fromRate` to `toRate` into
 * `out`. Each output frame depends only on the input around it, so a render can ask for one block
 * at a time and never hold a resampled copy of the whole source.
 */
export function resampleRange(
  input: Float32Array,
  fromRate: number,
  toRate: number,
  first: number,
  count: number,
  out: Float32Array,
): void {
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio) * 0.95;
  const inLength = input.length;
  const halfWidth = ZERO_CROSSINGS / cutoff;
  for (let o = 0; o < count; o++) {
    const centre = (first + o) / ratio;
    const lo = Math.max(0, Math.ceil(centre - halfWidth));
    const hi = Math.min(inLength - 1, Math.floor(centre + halfWidth));
    let acc = 0;
    for (let k = lo; k <= hi; k++) {
      const pos = Math.abs(k - centre) * cutoff * TABLE_STEPS;
      const idx = Math.floor(pos);
      const frac = pos - idx;
      const w = (kernelTable[idx] as number) * (1 - frac) + (kernelTable[idx + 1] as number) * frac;
      acc += (input[k] as number) * w;
    }
    out[o] = acc * cutoff;
  }
}

/** A whole source resampled to `targetRate` (the same frames `resampleRange` gives block by block). */
export function resample(audio: AudioData, targetRate: number): AudioData {
  if (audio.sampleRate === targetRate) return audio;
  const outLength = resampledLength(audio.channels[0]?.length ?? 0, audio.sampleRate, targetRate);
  const channels = audio.channels.map((input) => {
    const out = new Float32Array(outLength);
    resampleRange(input, audio.sampleRate, targetRate, 0, outLength, out);
    return out;
  });
  return { sampleRate: targetRate, channels };
}
