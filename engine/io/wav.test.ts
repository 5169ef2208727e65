import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../audio-data';
import { mulberry32 } from '../dsp/random';
import { writeFourCC } from './bytes';
import { decodeAudioFile } from './decode';
import { decodeWav, encodeWav, encodeWavChunks } from './wav';

function quantised(bits: 16 | 24, frames: number, channels: number, seed = 3) {
  const rng = mulberry32(seed);
  const scale = bits === 16 ? 32768 : 8388608;
  return {
    sampleRate: 48000,
    channels: Array.from({ length: channels }, () =>
      Float32Array.from({ length: frames }, () => Math.round((rng() * 2 - 1) * (scale - 1)) / scale),
    ),
  };
}

function header(fields: {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  dataSize?: number;
  extraChunk?: boolean;
}) {
  const channels = fields.channels ?? 2;
  const bits = fields.bits ?? 16;
  const dataSize = fields.dataSize ?? 0;
  const extra = fields.extraChunk ? 8 + 5 + 1 : 0;
  const buf = new Uint8Array(44 + extra + dataSize);
  const v = new DataView(buf.buffer);
  writeFourCC(v, 0, 'RIFF');
  v.setUint32(4, buf.length - 8, true);
  writeFourCC(v, 8, 'WAVE');
  writeFourCC(v, 12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, fields.format ?? 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, fields.rate ?? 48000, true);
  v.setUint32(28, (fields.rate ?? 48000) * channels * (bits / 8), true);
  v.setUint16(32, channels * (bits / 8), true);
  v.setUint16(34, bits, true);
  let o = 36;
  if (fields.extraChunk) {
    writeFourCC(v, o, 'LIST');
    v.setUint32(o + 4, 5, true); // odd size: followed by a pad byte
    o += 8 + 5 + 1;
  }
  writeFourCC(v, o, 'data');
  v.setUint32(o + 4, dataSize, true);
  return buf;
}

describe('WAV', () => {
  it('round-trips 24-bit bit-exactly, any channel count', () => {
    for (const channels of [1, 2, 6]) {
      const audio = quantised(24, 1000, channels);
      const back = decodeWav(encodeWav(audio, { format: 'wav24' }));
      expect(back.sampleRate).toBe(48000);
      expect(back.channels).toEqual(audio.channels);
    }
  });

  it('round-trips stereo 24-bit with an odd frame count, full scale, from any byte offset', () => {
    const audio = quantised(24, 1001, 2, 8);
    const ends = [1, -1, 8388607 / 8388608, -8388607 / 8388608, 1 / 8388608, -1 / 8388608];
    ends.forEach((v, i) => {
      (audio.channels[0] as Float32Array)[i] = v;
      (audio.channels[1] as Float32Array)[1000 - i] = v;
    });
    const bytes = encodeWav(audio, { format: 'wav24' });
    const expected = audio.channels.map((c) => c.map((v) => Math.min(v, 8388607 / 8388608)));
    for (const shift of [0, 1, 2, 3]) {
      const moved = new Uint8Array(bytes.length + shift);
      moved.set(bytes, shift);
      expect(decodeWav(moved.subarray(shift)).channels).toEqual(expected);
    }
  });

  it('round-trips 16-bit bit-exactly: audio already on the grid is not dithered', () => {
    const audio = quantised(16, 2000, 2);
    const bytes = encodeWav(audio, { format: 'wav16', ditherSeed: 1 });
    expect(decodeWav(bytes).channels).toEqual(audio.channels);
    expect(encodeWav(decodeWav(bytes), { format: 'wav16', ditherSeed: 2 })).toEqual(bytes);
  });

  it('written in chunks, gives the same file byte for byte (dither, pad byte and all)', () => {
    const offGrid = (frames: number, channels: number) => ({
      sampleRate: 44100,
      channels: Array.from({ length: channels }, (_, c) =>
        Float32Array.from({ length: frames }, (_, i) => 0.3 * Math.sin(i * 0.01 + c) + 1e-6),
      ),
    });
    const concat = (parts: Iterable<Uint8Array>) => {
      const list = [...parts];
      const out = new Uint8Array(list.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of list) {
        out.set(p, at);
        at += p.length;
      }
      return { out, count: list.length };
    };
    for (const format of ['wav16', 'wav24', 'wav32f'] as const) {
      // 1001 mono frames of 24-bit: an odd data size, so a pad byte.
      for (const audio of [offGrid(1001, 1), offGrid(5000, 2)]) {
        const whole = encodeWav(audio, { format, ditherSeed: 5 });
        const { out, count } = concat(encodeWavChunks(audio, { format, ditherSeed: 5 }, { frames: 333 }));
        expect(out).toEqual(whole);
        expect(count).toBeGreaterThan(3);
        // Reused, each piece must be taken before the next is asked for.
        const taken: Uint8Array[] = [];
        const pieces = encodeWavChunks(audio, { format, ditherSeed: 5 }, { frames: 333, reuse: true });
        const buffers = new Set<ArrayBufferLike>();
        for (const piece of pieces) {
          taken.push(piece.slice());
          if (piece.length > 44) buffers.add(piece.buffer);
        }
        expect(concat(taken).out).toEqual(whole);
        expect(buffers.size).toBe(1);
      }
    }
    expect(decodeWav(encodeWav(offGrid(1001, 1), { format: 'wav24' })).channels[0]?.length).toBe(1001);
  });

  it('refuses chunked writing of no channels or of chunks that are not a positive whole number', () => {
    const audio = quantised(24, 10, 1);
    expect(() => encodeWavChunks({ sampleRate: 48000, channels: [] }, { format: 'wav24' })).toThrow(
      AudioFormatError,
    );
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => encodeWavChunks(audio, { format: 'wav24' }, { frames: bad })).toThrow(/Chunk frames/);
  });

  it('round-trips 32-bit float exactly', () => {
    const audio = { sampleRate: 44100, channels: [Float32Array.from([0, 0.5, -1, 1.5, 1e-7])] };
    expect(decodeWav(encodeWav(audio, { format: 'wav32f' })).channels[0]).toEqual(audio.channels[0]);
  });

  it('dither is seedable, independent per channel and zero-mean', () => {
    const frames = 48000;
    // Near-silence just off the 16-bit grid (audio on the grid is passed through undithered).
    const silence = {
      sampleRate: 48000,
      channels: [new Float32Array(frames).fill(1e-7), new Float32Array(frames).fill(1e-7)],
    };
    const a = decodeWav(encodeWav(silence, { format: 'wav16', ditherSeed: 42 }));
    const b = decodeWav(encodeWav(silence, { format: 'wav16', ditherSeed: 42 }));
    expect(a.channels).toEqual(b.channels);
    const [l, r] = a.channels as [Float32Array, Float32Array];
    let mean = 0;
    let corr = 0;
    for (let i = 0; i < frames; i++) {
      mean += l[i] as number;
      corr += (l[i] as number) * (r[i] as number);
    }
    const lsb = 1 / 32768;
    expect(Math.abs(mean / frames / lsb)).toBeLessThan(0.02);
    // Silence plus TPDF (±1 LSB) rounds to ±1 with probability 1/4: a variance of 0.25 LSB².
    // The two channels do not move together.
    const variance = l.reduce((s, x) => s + x * x, 0) / frames / (lsb * lsb);
    expect(variance).toBeGreaterThan(0.23);
    expect(variance).toBeLessThan(0.27);
    expect(Math.abs(corr / frames / (lsb * lsb))).toBeLessThan(0.03);
  });

  it('dither error is uncorrelated with the signal (no distortion, only noise)', () => {
    const frames = 96000;
    // A sine of a few LSB, where plain rounding would make harmonic distortion.
    const x = Float32Array.from(
      { length: frames },
      (_, i) => (3.3 / 32768) * Math.sin((2 * Math.PI * 997 * i) / 48000),
    );
    const back = decodeWav(
      encodeWav({ sampleRate: 48000, channels: [x] }, { format: 'wav16', ditherSeed: 9 }),
    ).channels[0] as Float32Array;
    let cross = 0;
    let power = 0;
    let errMean = 0;
    for (let i = 0; i < frames; i++) {
      const err = (back[i] as number) - (x[i] as number);
      cross += err * (x[i] as number);
      power += (x[i] as number) ** 2;
      errMean += err;
    }
    expect(Math.abs(cross / power)).toBeLessThan(0.02);
    expect(Math.abs(errMean / frames) * 32768).toBeLessThan(0.02);
  });

  it('reads float64, 32-bit int, extensible and skips odd-sized unknown chunks', () => {
    const buf = header({ format: 3, channels: 1, bits: 64, dataSize: 16, extraChunk: true });
    const v = new DataView(buf.buffer);
    v.setFloat64(buf.length - 16, 0.25, true);
    v.setFloat64(buf.length - 8, -0.5, true);
    expect([...(decodeWav(buf).channels[0] ?? [])]).toEqual([0.25, -0.5]);

    const int32 = header({ channels: 1, bits: 32, dataSize: 4 });
    new DataView(int32.buffer).setInt32(44, -1073741824, true);
    expect(decodeWav(int32).channels[0]?.[0]).toBe(-0.5);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE', () => {
    const buf = new Uint8Array(12 + 8 + 40 + 8 + 4);
    const v = new DataView(buf.buffer);
    writeFourCC(v, 0, 'RIFF');
    v.setUint32(4, buf.length - 8, true);
    writeFourCC(v, 8, 'WAVE');
    writeFourCC(v, 12, 'fmt ');
    v.setUint32(16, 40, true);
    v.setUint16(20, 0xfffe, true);
    v.setUint16(22, 1, true);
    v.setUint32(24, 48000, true);
    v.setUint32(28, 48000 * 4, true);
    v.setUint16(32, 4, true);
    v.setUint16(34, 32, true);
    v.setUint16(36, 22, true);
    v.setUint16(44, 3, true); // sub-format: IEEE float
    writeFourCC(v, 60, 'data');
    v.setUint32(64, 4, true);
    v.setFloat32(68, 0.75, true);
    expect(decodeWav(buf).channels[0]?.[0]).toBe(0.75);
  });

  it.each([
    ['not a WAV', new TextEncoder().encode('ID3 this is an mp3 file'), 'not_audio'],
    ['zero channels', header({ channels: 0, dataSize: 4 }), 'zero_channels'],
    ['absurd rate', header({ rate: 5, dataSize: 4 }), 'bad_rate'],
    ['unsupported codec (ADPCM)', header({ format: 2, bits: 4, dataSize: 4 }), 'unsupported_format'],
    ['no data', header({}).subarray(0, 36), 'truncated'],
    ['cut inside fmt', header({}).subarray(0, 30), 'truncated'],
  ])('refuses %s with a typed error', (_name, bytes, code) => {
    let error: unknown;
    try {
      decodeAudioFile(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AudioFormatError);
    expect((error as AudioFormatError).code).toBe(code);
    expect((error as AudioFormatError).message.length).toBeGreaterThan(10);
  });

  it('reads a data chunk that lies about its size only as far as the file goes', () => {
    const buf = header({ channels: 1, dataSize: 8 });
    new DataView(buf.buffer).setUint32(40, 0x7ffffff0, true);
    expect(decodeWav(buf).channels[0]?.length).toBe(4);
  });

  it('survives 10,000 mutated files: a typed error or audio, never a crash or a huge allocation', () => {
    const seed = encodeWav(quantised(16, 64, 2), { format: 'wav24' });
    const rng = mulberry32(7);
    let decoded = 0;
    let refused = 0;
    for (let n = 0; n < 10_000; n++) {
      const bytes = seed.slice(0, rng() < 0.2 ? Math.floor(rng() * seed.length) : seed.length);
      const flips = 1 + Math.floor(rng() * 4);
      for (let k = 0; k < flips; k++)
        bytes[Math.floor(rng() * Math.min(60, bytes.length))] = Math.floor(rng() * 256);
      try {
        const audio = decodeAudioFile(bytes);
        // What decodes never exceeds what the file holds.
        expect(audio.channels.length * (audio.channels[0]?.length ?? 0)).toBeLessThanOrEqual(bytes.length);
        decoded++;
      } catch (e) {
        if (!(e instanceof AudioFormatError)) throw e;
        refused++;
      }
    }
    expect(decoded + refused).toBe(10_000);
    expect(refused).toBeGreaterThan(100);
  });
});
