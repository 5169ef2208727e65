import { besselI0 } from './kaiser';
import type { AudioData } from '../audio-data';

const ZERO_CROSSINGS = 32;
const KAISER_BETA = 9;

const TABLE_STEPS = 512;

const KAISER_NORM = besselI0(KAISER_BETA);

/** The Kaiser-windowed sinc, `u` zero crossings from its centre. */
function windowedSinc(u: number): number {
  const r = u / ZERO_CROSSINGS;
  if (r >= 1) return 0;
  const x = Math.PI * u;
  return (x === 0 ? 1 : Math.sin(x) / x) * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / KAISER_NORM);
}

/**
 * The kernel tabulated over |t|·cutoff ∈ [0, ZERO_CROSSINGS], TABLE_STEPS per crossing. Built on
 * first use: 16k Bessel series cost 8 ms, which every command line run would pay at start-up.
 */
let kernelTable: Float64Array | null = null;
function tabulatedKernel(): Float64Array {
  if (kernelTable) return kernelTable;
  const size = ZERO_CROSSINGS * TABLE_STEPS + 2;
  const table = new Float64Array(size);
  for (let i = 0; i < size; i++) table[i] = windowedSinc(i / TABLE_STEPS);
  kernelTable = table;
  return table;
}

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
  /** When `input` is a window of a longer source: input[0] is source frame `start`, of `length`. */
  window: SourceWindow = { start: 0, length: input.length },
): void {
  const table = phaseTable(fromRate, toRate);
  if (table) resampleByPhases(input, table, first, count, out, window.start, window.length);
  else kernelRange(input, fromRate, toRate, first, count, out, window.start, window.length);
}

/** A window of a source: input[0] is frame `start` of a source of `length` frames. */
export type SourceWindow = { start: number; length: number };

/** The first source frame output frame `first` reads. */
function inputStart(fromRate: number, toRate: number, first: number): number {
  const cutoff = Math.min(1, toRate / fromRate) * 0.95;
  const halfWidth = ZERO_CROSSINGS / cutoff;
  const ratio = toRate / fromRate;
  return Math.floor(first / ratio - halfWidth) - 1;
}

/** One past the last source frame output frames [first, first + count) read. */
function inputEnd(fromRate: number, toRate: number, first: number, count: number): number {
  const cutoff = Math.min(1, toRate / fromRate) * 0.95;
  const halfWidth = ZERO_CROSSINGS / cutoff;
  const ratio = toRate / fromRate;
  return Math.ceil((first + count - 1) / ratio + halfWidth) + 2;
}

/**
 * resampleRange for one pair of rates, what a stream calls block after block: the phase table is
 * looked up once, and nothing is allocated per call.
 */
export class RateConverter {
  private readonly table: PhaseTable | null;
  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    this.table = phaseTable(fromRate, toRate);
  }
  /** The first source frame output frame `first` reads. */
  inputStart(first: number): number {
    return inputStart(this.fromRate, this.toRate, first);
  }
  /** One past the last source frame output frames [first, first + count) read. */
  inputEnd(first: number, count: number): number {
    return inputEnd(this.fromRate, this.toRate, first, count);
  }
  /** resampleRange with input[0] being frame `start` of a source of `length` frames. */
  range(
    input: Float32Array,
    first: number,
    count: number,
    out: Float32Array,
    start: number,
    length: number,
  ): void {
    if (this.table) resampleByPhases(input, this.table, first, count, out, start, length);
    else kernelRange(input, this.fromRate, this.toRate, first, count, out, start, length);
  }
}

/**
 * For rates in a small integer ratio (44.1 → 48 kHz is 147 : 160) the output frames fall on L
 * fixed positions between input frames, so each position's weights are computed once and every
 * output frame is a plain dot product.
 */
type PhaseTable = {
  /** Output frames per M input frames (toRate / gcd), and input frames per L outputs. */
  L: number;
  M: number;
  taps: number;
  /** Per phase: offset of its first tap from the input frame before the output's position. */
  starts: Int32Array;
  counts: Int32Array;
  /** taps weights per phase, the final gain (the cut-off) folded in. */
  weights: Float64Array;
};

const MAX_PHASES = 4096;
const phaseTables = new Map<string, PhaseTable | null>();

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function phaseTable(fromRate: number, toRate: number): PhaseTable | null {
  const key = `${fromRate}/${toRate}`;
  const cached = phaseTables.get(key);
  if (cached !== undefined) return cached;
  let table: PhaseTable | null = null;
  if (Number.isInteger(fromRate) && Number.isInteger(toRate) && fromRate > 0 && toRate > 0) {
    const g = gcd(fromRate, toRate);
    const L = toRate / g;
    const M = fromRate / g;
    if (L <= MAX_PHASES) {
      const cutoff = Math.min(1, toRate / fromRate) * 0.95;
      const halfWidth = ZERO_CROSSINGS / cutoff;
      const taps = Math.floor(2 * halfWidth) + 2;
      const starts = new Int32Array(L);
      const counts = new Int32Array(L);
      const weights = new Float64Array(L * taps);
      for (let q = 0; q < L; q++) {
        const frac = q / L;
        const lo = Math.ceil(frac - halfWidth);
        const hi = Math.floor(frac + halfWidth);
        starts[q] = lo;
        counts[q] = hi - lo + 1;
        for (let d = lo; d <= hi; d++) {
          // The windowed sinc itself, not the tabulated one: computed once per phase and tap.
          const w = windowedSinc(Math.abs(d - frac) * cutoff);
          weights[q * taps + (d - lo)] = w * cutoff;
        }
      }
      table = { L, M, taps, starts, counts, weights };
    }
  }
  phaseTables.set(key, table);
  return table;
}

function resampleByPhases(
  input: Float32Array,
  t: PhaseTable,
  first: number,
  count: number,
  out: Float32Array,
  shift: number,
  inLength: number,
): void {
  const { L, M, taps, starts, counts, weights } = t;
  for (let o = 0; o < count; o++) {
    // Output frame j sits at input position j·M/L = n + q/L.
    const jm = (first + o) * M;
    const n = Math.floor(jm / L);
    const q = jm - n * L;
    const k0 = n + (starts[q] as number);
    const c = counts[q] as number;
    const w0 = q * taps;
    let acc = 0;
    const k = k0 - shift;
    if (k0 >= 0 && k0 + c <= inLength) {
      for (let i = 0; i < c; i++) acc += (input[k + i] as number) * (weights[w0 + i] as number);
    } else {
      // At the source's edges, the taps beyond it are silence.
      const from = Math.max(0, -k0);
      const to = Math.min(c, inLength - k0);
      for (let i = from; i < to; i++) acc += (input[k + i] as number) * (weights[w0 + i] as number);
    }
    out[o] = acc;
  }
}

/** Any ratio: the tabulated kernel evaluated per tap. Also the reference the phase tables are checked against. */
export function resampleByKernel(
  input: Float32Array,
  fromRate: number,
  toRate: number,
  first: number,
  count: number,
  out: Float32Array,
  window: SourceWindow = { start: 0, length: input.length },
): void {
  kernelRange(input, fromRate, toRate, first, count, out, window.start, window.length);
}

function kernelRange(
  input: Float32Array,
  fromRate: number,
  toRate: number,
  first: number,
  count: number,
  out: Float32Array,
  shift: number,
  inLength: number,
): void {
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio) * 0.95;
  const halfWidth = ZERO_CROSSINGS / cutoff;
  const kernel = tabulatedKernel();
  for (let o = 0; o < count; o++) {
    const centre = (first + o) / ratio;
    const lo = Math.max(0, Math.ceil(centre - halfWidth));
    const hi = Math.min(inLength - 1, Math.floor(centre + halfWidth));
    let acc = 0;
    for (let k = lo; k <= hi; k++) {
      const pos = Math.abs(k - centre) * cutoff * TABLE_STEPS;
      const idx = Math.floor(pos);
      const frac = pos - idx;
      const w = (kernel[idx] as number) * (1 - frac) + (kernel[idx + 1] as number) * frac;
      acc += (input[k - shift] as number) * w;
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
