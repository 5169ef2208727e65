import { OUT_BASE, WASM_LAYOUT } from './true-peak-wat';
import { TRUE_PEAK_WASM } from './true-peak-wasm';

// The engine compiles without the DOM's types; these are the parts of the host's globals it uses
// (Node and browsers both have them).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};
declare function atob(data: string): string;
type Memory = { buffer: ArrayBuffer };

/** The folded interpolator of one design (true-peak.ts's Kernel): H taps per array. */
export type FoldedTaps = { half: number; sum: Float32Array; diff: Float32Array };

type Scan = (count: number, level: number, bound: number, mode: number) => number;
type Instance = { memory: Memory; scans: Map<number, Scan> };

let instance: Instance | null | undefined;
/** The taps now in the module's memory (scans never run inside one another). */
let loaded: FoldedTaps | null = null;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The module, compiled on first use. Null where WebAssembly or its SIMD is missing (or a browser's
 * main thread refuses to compile it synchronously): the JavaScript scan then does the work, at a
 * quarter of the speed and to the same result within float rounding.
 */
function wasm(): Instance | null {
  if (instance !== undefined) return instance;
  try {
    const module = new WebAssembly.Module(decodeBase64(TRUE_PEAK_WASM));
    const exports = new WebAssembly.Instance(module).exports;
    const scans = new Map<number, Scan>();
    for (const half of WASM_LAYOUT.HALVES) scans.set(half, exports[`scan${half}`] as Scan);
    instance = { memory: exports.memory as Memory, scans };
  } catch {
    instance = null;
  }
  return instance;
}

/** Whether scanSimd can serve an interpolator of `half` taps either side. */
export function simdServes(half: number): boolean {
  return (WASM_LAYOUT.HALVES as readonly number[]).includes(half) && wasm() !== null;
}

function load(memory: Memory, taps: FoldedTaps): void {
  if (loaded === taps) return;
  const f = new Float32Array(memory.buffer);
  const { half, sum, diff } = taps;
  for (let j = 0; j < half; j++)
    for (let lane = 0; lane < 4; lane++) {
      f[WASM_LAYOUT.SUM / 4 + 4 * j + lane] = sum[j] as number;
      f[WASM_LAYOUT.DIFF / 4 + 4 * j + lane] = diff[j] as number;
      // The middle phase's taps follow the pairs' in `sum`.
      f[WASM_LAYOUT.MID / 4 + 4 * j + lane] = sum[half + j] as number;
    }
  loaded = taps;
}

/**
 * scan4 of true-peak.ts over windows [b, end) of x, whose taps all lie inside x (b ≥ H, end ≤
 * x.length − H): without `out`, the running level (raised by every window's refined peak) is
 * returned; with it, out[n] rises to window n's peak wherever that exceeds `level`, which is
 * returned unchanged (and with `withSamples`, to |x[n]| as well, everywhere). Blocks of 64 windows that
 * provably cannot beat the level are skipped.
 */
export function scanSimd(
  taps: FoldedTaps,
  x: Float32Array,
  b: number,
  end: number,
  level: number,
  bound: number,
  out: Float32Array | null,
  /** With `out`: out[n] also rises to |x[n]| (the sample itself), computed window or not. */
  withSamples = false,
): number {
  const w = wasm() as Instance;
  const scan = w.scans.get(taps.half) as Scan;
  load(w.memory, taps);
  const half = taps.half;
  const f = new Float32Array(w.memory.buffer);
  const xAt = WASM_LAYOUT.X / 4;
  const outAt = OUT_BASE / 4;
  let result = level;
  for (let from = b; from < end; from += WASM_LAYOUT.MAX_WINDOWS) {
    const to = Math.min(end, from + WASM_LAYOUT.MAX_WINDOWS);
    const count = to - from;
    // Windows from − 1 … to − 1 read x[from − H … to + H); zeros after for the last group's lanes.
    f.set(x.subarray(from - half, to + half), xAt);
    f.fill(0, xAt + count + 2 * half, xAt + count + 2 * half + 8);
    if (out) f.set(out.subarray(from, to), outAt);
    const r = scan(count, result, bound, out ? (withSamples ? 2 : 1) : 0);
    if (out) out.set(f.subarray(outAt, outAt + count), from);
    // The module compares in single precision: the level it returns counts only if a window beat it.
    else if (r > Math.fround(result)) result = Math.max(result, r);
  }
  return result;
}
