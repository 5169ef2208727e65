import { describe, expect, it } from 'vitest';
import { resampledLength, resampleRange } from '../../engine/dsp/resample';
import { gainOf } from '../state/loudness-match';
import { ABMix, type ABSides } from './ab-mix';

const RATE = 48000;
/** 10 ms at 48 kHz: the side switch's and a trim's glide. */
const GLIDE = 480;

/** A and B as the Worker posts them (here plain views: the mixing does not care whose memory). */
function sides(frames: number, rate = RATE): ABSides {
  const make = (seed: number) =>
    [0, 1].map((c) =>
      Float32Array.from({ length: frames }, (_, i) => Math.sin((i + 1) * (0.01 + 0.003 * c) * seed)),
    );
  return { sampleRate: rate, A: make(1), B: make(2.7) };
}

/** Everything the mix plays, `block` frames a call, as the worklet asks for it. */
function playAll(mix: ABMix, block = 128, between?: (at: number) => void): Float32Array[] {
  const out = [new Float32Array(mix.frames), new Float32Array(mix.frames)];
  const scratch = [new Float32Array(block), new Float32Array(block)];
  let at = 0;
  while (!mix.ended) {
    between?.(at);
    for (const s of scratch) s.fill(0);
    const n = mix.render(scratch, 0, block);
    for (const [c, o] of out.entries()) o.set((scratch[c] as Float32Array).subarray(0, n), at);
    at += n;
  }
  return out;
}

describe('the A/B mix', () => {
  it('plays the side chosen, sample for sample, to the song’s end', () => {
    const s = sides(1000);
    for (const side of ['A', 'B'] as const) {
      const mix = new ABMix(s, RATE, side, { A: 0, B: 0 });
      const out = playAll(mix);
      expect(out[0]).toEqual(s[side][0]);
      expect(out[1]).toEqual(s[side][1]);
      expect(mix.ended).toBe(true);
      expect(mix.frame).toBe(1000);
    }
  });

  it('writes from the offset asked and no further than the song: the rest of the block is left alone', () => {
    const s = sides(100);
    const mix = new ABMix(s, RATE, 'B', { A: 0, B: 0 });
    const out = [new Float32Array(128).fill(9), new Float32Array(128).fill(9)];
    expect(mix.render(out, 30, 98)).toBe(98);
    expect(out[0]?.subarray(0, 30).every((v) => v === 9)).toBe(true);
    expect(Array.from(out[0]?.subarray(30, 128) ?? [])).toEqual(Array.from(s.B[0]?.subarray(0, 98) ?? []));
    for (const o of out) o.fill(7);
    expect(mix.render(out, 0, 128)).toBe(2);
    expect(out[1]?.[0]).toBe(s.B[1]?.[98]);
    expect(out[1]?.[1]).toBe(s.B[1]?.[99]);
    expect(out[1]?.[2]).toBe(7);
    expect(mix.ended).toBe(true);
    expect(mix.render(out, 0, 128)).toBe(0);
  });

  it('switches side by a 10 ms linear crossfade, then plays the other side exactly', () => {
    const s = sides(4000);
    const mix = new ABMix(s, RATE, 'A', { A: 0, B: 0 });
    const switchAt = 1024;
    const out = playAll(mix, 128, (at) => {
      if (at === switchAt) mix.setSide('B');
    });
    const L = out[0] as Float32Array;
    const a = s.A[0] as Float32Array;
    const b = s.B[0] as Float32Array;
    for (let i = 0; i < switchAt; i++) expect(L[i]).toBe(a[i]);
    // Within the glide: B's gain rises by 1/480 a frame as A's falls by as much.
    for (const k of [0, 100, 239, 479]) {
      const g = (k + 1) / GLIDE;
      const i = switchAt + k;
      expect(L[i]).toBeCloseTo((a[i] as number) * (1 - g) + (b[i] as number) * g, 6);
    }
    for (let i = switchAt + GLIDE; i < 4000; i++) expect(L[i]).toBe(b[i]);
    // And back again.
    const back = new ABMix(s, RATE, 'B', { A: 0, B: 0 });
    const out2 = playAll(back, 128, (at) => {
      if (at === 0) back.setSide('A');
    });
    expect(out2[1]?.[GLIDE - 1]).toBe(s.A[1]?.[GLIDE - 1]);
    expect(out2[1]?.subarray(GLIDE)).toEqual(s.A[1]?.subarray(GLIDE));
  });

  it('plays each side at its trim, and a new trim glides there over 10 ms while playing', () => {
    const s = sides(3000);
    const mix = new ABMix(s, RATE, 'B', { A: 0, B: -6 });
    const at = 1280;
    const out = playAll(mix, 128, (f) => {
      if (f === at) mix.setTrims({ A: -3, B: 0 });
    });
    const b = s.B[0] as Float32Array;
    const L = out[0] as Float32Array;
    const g0 = gainOf(-6);
    for (const i of [0, 500, at - 1]) expect(L[i]).toBeCloseTo((b[i] as number) * g0, 7);
    const mid = at + GLIDE / 2 - 1;
    expect(L[mid]).toBeCloseTo((b[mid] as number) * (g0 + (1 - g0) / 2), 6);
    for (let i = at + GLIDE; i < 3000; i++) expect(L[i]).toBe(b[i]);
    // A's new trim is where it went while B was heard: switching to A plays it at -3 dB.
    const a = s.A[0] as Float32Array;
    const mixA = new ABMix(s, RATE, 'B', { A: 0, B: 0 });
    const outA = playAll(mixA, 128, (f) => {
      if (f === 0) mixA.setTrims({ A: -3, B: 0 });
      if (f === 1024) mixA.setSide('A');
    });
    expect(outA[0]?.[2000]).toBeCloseTo((a[2000] as number) * gainOf(-3), 7);
  });

  it('from a start frame: seek, then play from there', () => {
    const s = sides(1000);
    const mix = new ABMix(s, RATE, 'A', { A: 0, B: 0 });
    mix.seek(600);
    const out = [new Float32Array(512), new Float32Array(512)];
    expect(mix.render(out, 0, 512)).toBe(400);
    expect(out[0]?.subarray(0, 400)).toEqual(s.A[0]?.subarray(600));
  });

  it('a mono side is heard on both channels', () => {
    const s = sides(200);
    const mono: ABSides = { sampleRate: RATE, A: [s.A[0] as Float32Array], B: [s.B[0] as Float32Array] };
    const out = playAll(new ABMix(mono, RATE, 'B', { A: 0, B: 0 }));
    expect(out[0]).toEqual(s.B[0]);
    expect(out[1]).toEqual(s.B[0]);
  });

  it('at another rate, resamples as it plays: exactly the engine resampler’s frames, block after block', () => {
    const frames = 9000;
    const s = sides(frames, 48000);
    for (const outRate of [44100, 96000]) {
      const mix = new ABMix(s, outRate, 'B', { A: 0, B: 0 });
      expect(mix.frames).toBe(resampledLength(frames, 48000, outRate));
      const out = playAll(mix, 128);
      for (const c of [0, 1]) {
        const whole = new Float32Array(mix.frames);
        resampleRange(s.B[c] as Float32Array, 48000, outRate, 0, mix.frames, whole);
        expect(out[c]).toEqual(whole);
      }
    }
  });
});
