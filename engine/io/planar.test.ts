import { describe, expect, it } from 'vitest';
import { DEFAULT_MASTER, DEFAULT_CLIP, newTrack, type Track } from '../../contracts/project';
import { mulberry32 } from '../dsp/random';
import { mixSourceChannels } from '../mix/mix-source';
import { planarMixSourceSteps, renderPlanarMix } from '../mix/planar-render';
import { renderMix } from '../mix/render';
import { decodeAudioFile } from './decode';
import { INT16_SCALE, planarSource, readPlanar } from './planar';
import { decodePlanar } from './planar-decode';
import { encodeWav } from './wav';

const RATE = 48000;

/** Noise at 16-bit values, the whole range included (−32768 and 32767). */
function int16Noise(frames: number, seed: number): Int16Array {
  const rng = mulberry32(seed);
  const x = Int16Array.from({ length: frames }, () => Math.floor(rng() * 65536) - 32768);
  x[0] = -32768;
  x[1] = 32767;
  return x;
}
const asFloat = (x: Int16Array) => Float32Array.from(x, (v) => v / 32768);

/** A 16-bit or 8-bit PCM WAV as a recorder writes it (no dither, no engine encoder in between). */
function pcmWav(channels: Int16Array[], bits: 8 | 16, rate = RATE): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const size = bits / 8;
  const data = frames * channels.length * size;
  const bytes = new Uint8Array(44 + data);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + data, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * channels.length * size, true);
  view.setUint16(32, channels.length * size, true);
  view.setUint16(34, bits, true);
  text(36, 'data');
  view.setUint32(40, data, true);
  for (let i = 0, p = 44; i < frames; i++)
    for (const ch of channels) {
      const v = ch[i] as number;
      if (bits === 16) view.setInt16(p, v, true);
      else view.setUint8(p, (v >> 8) + 128);
      p += size;
    }
  return bytes;
}

/** A 16-bit AIFF (big-endian samples) at 48 kHz. */
function aiff16(channels: Int16Array[]): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const data = frames * channels.length * 2;
  const bytes = new Uint8Array(12 + 26 + 16 + data);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i);
  };
  text(0, 'FORM');
  view.setUint32(4, bytes.length - 8);
  text(8, 'AIFFCOMM');
  view.setUint32(16, 18);
  view.setUint16(20, channels.length);
  view.setUint32(22, frames);
  view.setUint16(26, 16);
  // 48000 as an 80-bit extended float: exponent 16383 + 15, mantissa 48000 << 48.
  view.setUint16(28, 0x400e);
  view.setUint16(30, 0xbb80);
  text(38, 'SSND');
  view.setUint32(42, 8 + data);
  for (let i = 0, p = 54; i < frames; i++)
    for (const ch of channels) {
      view.setInt16(p, ch[i] as number);
      p += 2;
    }
  return bytes;
}

describe('16-bit sources kept as 16-bit', () => {
  it('a FrameSource over Int16 channels reads exactly value / 32768, block by block', () => {
    const left = int16Noise(10_000, 1);
    const right = int16Noise(10_000, 2);
    const source = planarSource({ sampleRate: RATE, channels: [left, right] });
    expect(source).toMatchObject({ sampleRate: RATE, channelCount: 2, frames: 10_000 });
    const into = [new Float32Array(4096), new Float32Array(4096)];
    const got = [new Float32Array(10_000), new Float32Array(10_000)];
    let at = 0;
    for (let n = source.read(into, 4096); n > 0; n = source.read(into, 4096)) {
      got.forEach((g, c) => {
        g.set((into[c] as Float32Array).subarray(0, n), at);
      });
      at += n;
    }
    expect(at).toBe(10_000);
    for (const [c, ch] of [left, right].entries()) {
      const g = got[c] as Float32Array;
      for (let i = 0; i < ch.length; i++)
        if (g[i] !== (ch[i] as number) / 32768) throw new Error(`${c}:${i}`);
    }
    expect(got[0]?.[0]).toBe(-1);
    expect(got[0]?.[1]).toBe(32767 / 32768);
    expect(INT16_SCALE * 32768).toBe(1);
  });

  it('reads float channels as they are, and a run into any offset', () => {
    const x = Float32Array.from({ length: 100 }, (_, i) => i / 100);
    const into = new Float32Array(20);
    readPlanar(x, 30, 10, into, 5);
    expect([...into.subarray(5, 15)]).toEqual([...x.subarray(30, 40)]);
    readPlanar(Int16Array.of(-16384, 16384), 0, 2, into, 0);
    expect([into[0], into[1]]).toEqual([-0.5, 0.5]);
  });

  it('decodes 16-bit WAV and AIFF and 8-bit WAV as Int16, the float reader’s values × 32768', () => {
    const left = int16Noise(3000, 3);
    const right = int16Noise(3000, 4);
    for (const [name, bytes] of [
      ['wav16', pcmWav([left, right], 16)],
      ['aiff16', aiff16([left, right])],
      ['wav8', pcmWav([left.map((v) => v & ~0xff), right.map((v) => v & ~0xff)], 8)],
    ] as const) {
      const planar = decodePlanar(bytes);
      const float = decodeAudioFile(bytes);
      expect(planar.sampleRate, name).toBe(RATE);
      expect(
        planar.channels.map((c) => c.constructor.name),
        name,
      ).toEqual(['Int16Array', 'Int16Array']);
      planar.channels.forEach((ch, c) => {
        expect(asFloat(ch as Int16Array), name).toEqual(float.channels[c]);
      });
    }
    expect(decodePlanar(pcmWav([left], 16)).channels[0]).toEqual(left);
  });

  it('decodes 24-bit and float WAV as Float32, exactly the float reader’s, in the memory it is given', () => {
    const x = Float32Array.from({ length: 5000 }, (_, i) => 0.9 * Math.sin(i / 7) * (i % 3 === 0 ? 1 : -0.5));
    for (const format of ['wav24', 'wav32f'] as const) {
      const bytes = encodeWav({ sampleRate: RATE, channels: [x, x.map((v) => -v)] }, { format });
      const made: number[] = [];
      const planar = decodePlanar(bytes, (n) => {
        made.push(n);
        return new SharedArrayBuffer(n);
      });
      expect(made, format).toEqual([20_000, 20_000]);
      expect(
        planar.channels.every((c) => c instanceof Float32Array && c.buffer instanceof SharedArrayBuffer),
      ).toBe(true);
      expect(planar.channels, format).toEqual(decodeAudioFile(bytes).channels);
    }
  });
});

describe('renders over 16-bit sources', () => {
  const track = (id: string, patch: Partial<Track>): Track => ({
    ...newTrack(id, id, `${id}.wav`),
    ...patch,
  });
  const tracks = [
    track('a', {
      gainDb: -2,
      pan: -0.4,
      startOffsetSec: 0.013,
      clip: { ...DEFAULT_CLIP, trimStartSec: 0.021, fadeInSec: 0.05, fadeOutSec: 0.1 },
      compressor: { enabled: true, thresholdDb: -20, ratio: 3, attackMs: 5, releaseMs: 80, makeupDb: 2 },
      send: { enabled: true, levelDb: -6, preFader: false },
    }),
    track('b', { pan: 0.5, startOffsetSec: 0.2 }),
  ];
  const a = [int16Noise(30_000, 5), int16Noise(30_000, 6)];
  const b = [int16Noise(20_000, 7)];

  it('the mix of Int16 sources is bit for bit renderMix’s of the same values as float', () => {
    const input = {
      tracks,
      master: { ...DEFAULT_MASTER, gainDb: -1 },
      reverb: { returnDb: -6, size: 0.5, decaySec: 1, damping: 0.5, preDelayMs: 10 },
      sampleRate: RATE,
    };
    const planar = renderPlanarMix({
      ...input,
      sources: [
        { trackId: 'a', audio: { sampleRate: RATE, channels: a } },
        // At 44.1 kHz: resampled on the way, from the 16-bit values.
        { trackId: 'b', audio: { sampleRate: 44100, channels: b } },
      ],
    });
    const float = renderMix({
      ...input,
      sources: [
        { trackId: 'a', audio: { sampleRate: RATE, channels: a.map(asFloat) } },
        { trackId: 'b', audio: { sampleRate: 44100, channels: b.map(asFloat) } },
      ],
    });
    expect(planar.channels[0]?.length).toBe(float.channels[0]?.length);
    expect(planar.channels[0]).toEqual(float.channels[0]);
    expect(planar.channels[1]).toEqual(float.channels[1]);
    // Not silence: the comparison means something.
    expect(
      Math.max(...(planar.channels[0] as Float32Array).subarray(0, 20_000).map(Math.abs)),
    ).toBeGreaterThan(0.1);
  });

  it('the preview’s conversion: the source itself at the mix’s rate, else mixSourceChannels of the floats', () => {
    const run = (steps: Generator<void, readonly (Float32Array | Int16Array)[], void>) => {
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
      }
    };
    const same = { sampleRate: RATE, channels: a };
    expect(run(planarMixSourceSteps(same, RATE))).toBe(same.channels);
    const converted = run(planarMixSourceSteps({ sampleRate: 44100, channels: b }, RATE));
    expect(converted).toEqual(mixSourceChannels({ sampleRate: 44100, channels: b.map(asFloat) }, RATE));
    expect(converted[0]).toBeInstanceOf(Float32Array);
  });
});
