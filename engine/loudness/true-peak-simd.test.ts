import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../dsp/random';
import { drumLoop, noiseSong } from '../test-support/signals';
import { KWeighting } from './k-weighting';
import { LoudnessMeter } from './meter';
import { oversampledPeaks, StreamChunkPeaks, TruePeakDetector, truePeakOf, setSimdScan } from './true-peak';
import { compileTruePeakWasm } from './true-peak-compile';
import { setSimdKWeighting } from './true-peak-simd';
import { TRUE_PEAK_WASM } from './true-peak-wasm';

function both<T>(run: () => T): { simd: T; js: T } {
  setSimdScan(true);
  const simd = run();
  setSimdScan(false);
  const js = run();
  setSimdScan(true);
  return { simd, js };
}

/** Material that exercises every branch: noise, hard-clipped transients near Nyquist, silence. */
function material(rate: number, seconds: number): Float32Array[] {
  const frames = Math.round(rate * seconds);
  const rng = mulberry32(rate);
  const song = noiseSong(seconds, rate).channels;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / rate;
    // Alternating-sign samples at the clip: energy at Nyquist, peaks between samples.
    const clip = i % 5000 < 40 ? Math.sign(Math.sin(Math.PI * 0.97 * i)) * 0.99 : 0;
    const quiet = t > seconds / 2 && t < seconds / 2 + 0.2 ? 0 : 1;
    left[i] = (((song[0] as Float32Array)[i] as number) * 0.8 + clip) * quiet;
    right[i] = (rng() * 2 - 1) * 0.3 * quiet;
  }
  return [left, right];
}

afterEach(() => {
  setSimdScan(true);
  setSimdKWeighting(true);
});

describe('the SIMD true-peak scan', () => {
  it('ships the bytes its text compiles to', async () => {
    const bytes = await compileTruePeakWasm();
    expect(Buffer.from(bytes).toString('base64')).toBe(TRUE_PEAK_WASM);
    // And the build script writes them where the engine reads them.
    expect(readFileSync(new URL('./true-peak-wasm.ts', import.meta.url), 'utf8')).toContain(TRUE_PEAK_WASM);
  });

  for (const rate of [44100, 48000, 96000, 192000]) {
    it(`reads the true peak the JavaScript scan reads, at ${rate} Hz`, () => {
      const channels = material(rate, 1.5);
      const { simd, js } = both(() => truePeakOf(channels, rate));
      expect(js).toBeGreaterThan(0.9);
      expect(simd).toBe(js);
    });

    it(`gives every sample's oversampled peak as the JavaScript scan does, at ${rate} Hz`, () => {
      const [left] = material(rate, 1) as [Float32Array];
      for (const floor of [0, 0.25]) {
        const { simd, js } = both(() => oversampledPeaks(left, rate, floor));
        // The same single-precision arithmetic in the same order: the very same peaks.
        expect(simd).toEqual(js);
        let raised = 0;
        for (let i = 0; i < js.length; i++) if ((js[i] as number) > Math.abs(left[i] as number)) raised++;
        // Peaks were raised by interpolation, not only copied: the scan ran.
        expect(raised).toBeGreaterThan(js.length / 100);
      }
    });
  }

  it('streams to the same peaks whatever the block sizes', () => {
    const rate = 48000;
    const channels = drumLoop(4, rate, { gain: 0.9 }).channels;
    const whole = both(() => truePeakOf(channels, rate));
    const detector = new TruePeakDetector(rate);
    const left = channels[0] as Float32Array;
    for (let at = 0, size = 7; at < left.length; at += size, size = (size * 3) % 20011)
      detector.push(left.subarray(at, at + size));
    expect(detector.value()).toBe(truePeakOf([left], rate));
    expect(whole.simd).toBe(whole.js);
  });

  it('gives the chunk peaks the JavaScript scan gives', () => {
    const rate = 44100;
    const channels = material(rate, 2);
    const frames = (channels[0] as Float32Array).length;
    const run = (floor: number) => () => {
      const peaks = new Float32Array(Math.ceil(frames / 64));
      const stream = new StreamChunkPeaks(rate, 2, 64, frames, 16384, (k, p) => {
        peaks[k] = p;
      });
      stream.floor = floor;
      for (let at = 0; at < frames; at += 16384) {
        const n = Math.min(16384, frames - at);
        stream.push(
          channels.map((c) => c.subarray(at, at + n)),
          n,
        );
      }
      stream.finish();
      return peaks;
    };
    for (const floor of [0, 0.5]) {
      const { simd, js } = both(run(floor));
      expect(simd).toEqual(js);
      expect(Math.max(...js)).toBeGreaterThan(0.9);
    }
  });
});

describe('the SIMD K-weighting of a stereo pair', () => {
  const kBoth = <T>(run: () => T): { simd: T; js: T } => {
    setSimdKWeighting(true);
    const simd = run();
    setSimdKWeighting(false);
    const js = run();
    setSimdKWeighting(true);
    return { simd, js };
  };

  it('gives the very energies, state and peaks of the JavaScript loop, across pushes and copies', () => {
    for (const rate of [44100, 48000, 96000]) {
      const [left, right] = material(rate, 1.2) as [Float32Array, Float32Array];
      const run = () => {
        const a = new KWeighting(rate);
        const b = new KWeighting(rate);
        const energies: number[] = [];
        // Pushes of odd sizes (one longer than the module's copy), segments of 60 frames.
        let fill = 0;
        for (const [from, to] of [
          [0, 1001],
          [1001, 1001 + 40000],
          [41001, left.length],
        ] as const) {
          a.energiesPair(
            b,
            left.subarray(from, to),
            right.subarray(from, to),
            to - from,
            60 - fill,
            60,
            (e, n) => {
              energies.push(e);
              fill = (fill + n) % 60;
            },
          );
        }
        return { energies, peaks: [a.peak, b.peak], next: a.energyPair(b, left, right, 0, 500) };
      };
      const { simd, js } = kBoth(run);
      expect(simd.energies.length).toBeGreaterThan(800);
      expect(simd).toEqual(js);
    }
  });

  it('leaves the meter reading exactly what it read', () => {
    const channels = material(48000, 3);
    const { simd, js } = kBoth(() => {
      const meter = new LoudnessMeter(48000, 2, true);
      for (let at = 0; at < (channels[0] as Float32Array).length; at += 7919)
        meter.push(channels.map((c) => c.subarray(at, at + 7919)));
      return [meter.integrated(), meter.loudnessRange(), meter.truePeak()];
    });
    expect(Number.isFinite(js[0])).toBe(true);
    expect(simd).toEqual(js);
  });
});
