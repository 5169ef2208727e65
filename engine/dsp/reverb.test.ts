import { describe, expect, it } from 'vitest';
import { Reverb, type ReverbSettings } from './reverb';

const RATE = 48000;

/** The reverb's answer to a unit impulse on both inputs, `seconds` long, in blocks of 128. */
function impulseResponse(settings: ReverbSettings, seconds: number): [Float32Array, Float32Array] {
  const reverb = new Reverb(RATE, settings);
  const frames = Math.round(seconds * RATE);
  const out: [Float32Array, Float32Array] = [new Float32Array(frames), new Float32Array(frames)];
  const inL = new Float32Array(128);
  const inR = new Float32Array(128);
  const l = new Float32Array(128);
  const r = new Float32Array(128);
  for (let at = 0; at < frames; at += 128) {
    const n = Math.min(128, frames - at);
    inL.fill(0);
    inR.fill(0);
    if (at === 0) {
      inL[0] = 1;
      inR[0] = 1;
    }
    reverb.process(inL, inR, l, r, n);
    out[0].set(l.subarray(0, n), at);
    out[1].set(r.subarray(0, n), at);
  }
  return out;
}

/**
 * RT60 by ISO 3382: Schroeder's backward integration of the squared response, a line fitted to the
 * decay curve between −5 and −35 dB (T30), extrapolated to 60 dB.
 */
function rt60(ir: Float32Array): number {
  const energy = new Float64Array(ir.length);
  let sum = 0;
  for (let i = ir.length - 1; i >= 0; i--) {
    sum += (ir[i] as number) ** 2;
    energy[i] = sum;
  }
  const total = energy[0] as number;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < ir.length; i++) {
    const db = 10 * Math.log10((energy[i] as number) / total);
    if (db <= -5 && db >= -35) {
      xs.push(i / RATE);
      ys.push(db);
    }
  }
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return -60 / (num / den);
}

describe('Freeverb reverb bus', () => {
  for (const decaySec of [0.8, 1.8, 4]) {
    for (const size of [0.2, 0.8]) {
      it(`decays 60 dB in ${decaySec} s (size ${size}) within 10 %`, () => {
        const [l, r] = impulseResponse({ size, decaySec, damping: 0, preDelayMs: 10 }, decaySec * 1.6);
        expect(Math.abs(rt60(l) / decaySec - 1)).toBeLessThan(0.1);
        expect(Math.abs(rt60(r) / decaySec - 1)).toBeLessThan(0.1);
      });
    }
  }

  it('damping shortens the decay of the highs only: the broadband decay shortens, never lengthens', () => {
    const [dry] = impulseResponse({ size: 0.5, decaySec: 2, damping: 0, preDelayMs: 0 }, 3.2);
    const [damped] = impulseResponse({ size: 0.5, decaySec: 2, damping: 1, preDelayMs: 0 }, 3.2);
    expect(rt60(damped)).toBeLessThan(rt60(dry));
    expect(rt60(damped)).toBeGreaterThan(0.3);
  });

  it('waits for the pre-delay (plus the shortest comb) before any sound, and the sides differ', () => {
    const [l, r] = impulseResponse({ size: 0.5, decaySec: 1, damping: 0.5, preDelayMs: 50 }, 0.5);
    const first = l.findIndex((x) => x !== 0);
    // 50 ms of pre-delay, then the shortest comb (1116 samples at 44.1 kHz, at 48 kHz).
    expect(first).toBe(2400 + Math.round(1116 * (48000 / 44100)));
    expect(l).not.toEqual(r);
  });

  it('gives the same samples whatever the block size', () => {
    const settings = { size: 0.6, decaySec: 1.2, damping: 0.3, preDelayMs: 15 };
    const a = new Reverb(RATE, settings);
    const b = new Reverb(RATE, settings);
    const input = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i * 0.01) * (i < 2000 ? 1 : 0));
    const outA = [new Float32Array(4096), new Float32Array(4096)];
    a.process(input, input, outA[0] as Float32Array, outA[1] as Float32Array, 4096);
    const outB = [new Float32Array(4096), new Float32Array(4096)];
    const l = new Float32Array(100);
    const r = new Float32Array(100);
    for (let at = 0; at < 4096; at += 100) {
      const n = Math.min(100, 4096 - at);
      b.process(input.subarray(at), input.subarray(at), l, r, n);
      outB[0]?.set(l.subarray(0, n), at);
      outB[1]?.set(r.subarray(0, n), at);
    }
    expect(outB).toEqual(outA);
  });
});
