import { K_LAYOUT, OUT_BASE, WASM_LAYOUT } from './true-peak-wat';
import { TRUE_PEAK_WASM } from './true-peak-wasm';

// The engine compiles without the DOM's types; these are the parts of the host's globals it uses
// (Node and browsers both have them).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};
declare function atob(data: string): string;
/** Node's Buffer, where there is one (not in browsers). */
const nodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer;
type Memory = { buffer: ArrayBuffer };

/** The folded interpolator of one design (true-peak.ts's Kernel): H taps per array. */
export type FoldedTaps = { half: number; sum: Float32Array; diff: Float32Array };

type Scan = (count: number, level: number, bound: number, mode: number) => number;
type Instance = { memory: Memory; scans: Map<number, Scan>; kpair: (from: number, to: number) => number };

let instance: Instance | null | undefined;
/** The taps now in the module's memory (scans never run inside one another). */
let loaded: FoldedTaps | null = null;

function decodeBase64(text: string): Uint8Array {
  // Node's atob is JavaScript, a loop per character: about 1 ms of the command line's start-up,
  // where Buffer decodes natively. Browsers' atob is native.
  if (nodeBuffer) return nodeBuffer.from(text, 'base64');
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
    instance = {
      memory: exports.memory as Memory,
      scans,
      kpair: exports.kpair as Instance['kpair'],
    };
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

type FilterState = { coefficients: readonly number[]; state: readonly number[] };

/**
 * The K-weighting of a stereo pair in WebAssembly (the module's kpair), or null where it cannot run
 * (KWeighting.energyPair then does the work in JavaScript, to the same numbers). `load` takes both
 * channels' filters, `copy` the next frames (at most `max`), `run` the energy of [from, to) of them,
 * `save` the state to give back. Module-wide: one pair at a time, as the callers run.
 */
export function kPairSimd(): {
  max: number;
  load(left: FilterState, right: FilterState): void;
  copy(left: Float32Array, right: Float32Array): void;
  run(from: number, to: number): number;
  save(): [number[], number[]];
} | null {
  if (!simdEnabled) return null;
  const w = wasm();
  if (!w) return null;
  const f64 = () => new Float64Array(w.memory.buffer);
  const f32 = () => new Float32Array(w.memory.buffer);
  return {
    max: K_LAYOUT.MAX,
    load(left, right) {
      const m = f64();
      const coef = K_LAYOUT.COEF / 8;
      const state = K_LAYOUT.STATE / 8;
      for (let i = 0; i < 10; i++) {
        m[coef + 2 * i] = left.coefficients[i] as number;
        m[coef + 2 * i + 1] = right.coefficients[i] as number;
      }
      for (let i = 0; i < 5; i++) {
        m[state + 2 * i] = left.state[i] as number;
        m[state + 2 * i + 1] = right.state[i] as number;
      }
    },
    copy(left, right) {
      const m = f32();
      m.set(left, K_LAYOUT.LEFT / 4);
      m.set(right, K_LAYOUT.RIGHT / 4);
    },
    run: (from, to) => w.kpair(from, to),
    save() {
      const m = f64();
      const state = K_LAYOUT.STATE / 8;
      const left: number[] = [];
      const right: number[] = [];
      for (let i = 0; i < 5; i++) {
        left.push(m[state + 2 * i] as number);
        right.push(m[state + 2 * i + 1] as number);
      }
      return [left, right];
    },
  };
}

let simdEnabled = true;
/** Turns the WebAssembly K-weighting off (or on): tests compare it with the JavaScript loop. */
export function setSimdKWeighting(on: boolean): void {
  simdEnabled = on;
}
