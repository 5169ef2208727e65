import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFormatError } from '../audio-data';
import { computePeaks } from '../dsp/peaks';
import { mulberry32 } from '../dsp/random';
import { decodeAudioFile } from './decode';
import { encodeWav } from './wav';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-aiff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A 16-bit-exact stereo signal, written as WAV by the engine and converted by ffmpeg to each AIFF flavour.
const rng = mulberry32(5);
const frames = 4410;
const source = {
  sampleRate: 44100,
  channels: [0, 1].map(() =>
    Float32Array.from({ length: frames }, () => Math.round((rng() * 2 - 1) * 20000) / 32768),
  ),
};
const wav = path.join(dir, 'source.wav');
writeFileSync(wav, encodeWav(source, { format: 'wav32f' }));

function ffmpegTo(file: string, codec: string): Uint8Array {
  const out = path.join(dir, file);
  const run = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-i',
    wav,
    '-c:a',
    codec,
    '-f',
    'aiff',
    out,
  ]);
  if (run.status !== 0) throw new Error(`ffmpeg: ${run.stderr}`);
  return readFileSync(out);
}

describe('AIFF and AIFF-C', () => {
  it.each([
    ['AIFF 16-bit big-endian', 'plain16.aiff', 'pcm_s16be', 'AIFF'],
    ['AIFF 24-bit big-endian', 'plain24.aiff', 'pcm_s24be', 'AIFF'],
    ['AIFF-C sowt (little-endian)', 'sowt.aifc', 'pcm_s16le', 'AIFC'],
    ['AIFF-C fl32', 'fl32.aifc', 'pcm_f32be', 'AIFC'],
  ])('reads %s exactly', (_name, file, codec, form) => {
    const bytes = ffmpegTo(file, codec);
    expect(new TextDecoder().decode(bytes.subarray(8, 12))).toBe(form);
    const audio = decodeAudioFile(bytes);
    expect(audio.sampleRate).toBe(44100);
    expect(audio.channels.length).toBe(2);
    expect(audio.channels).toEqual(source.channels);
  });

  it('refuses an unknown compression, zero channels and a truncated file with typed errors', () => {
    const good = ffmpegTo('ok.aiff', 'pcm_s16be');
    const comm = Buffer.from(good).indexOf('COMM');
    const zero = good.slice();
    new DataView(zero.buffer).setInt16(comm + 8, 0);
    const cases: Array<[Uint8Array, string]> = [
      [zero, 'zero_channels'],
      [good.slice(0, comm + 10), 'truncated'],
    ];
    const aifc = ffmpegTo('c.aifc', 'pcm_s16le').slice();
    const at = Buffer.from(aifc).indexOf('sowt');
    aifc.set(new TextEncoder().encode('ulaw'), at);
    cases.push([aifc, 'unsupported_format']);
    for (const [bytes, code] of cases) {
      expect(() => decodeAudioFile(bytes)).toThrow(AudioFormatError);
      try {
        decodeAudioFile(bytes);
      } catch (e) {
        expect((e as AudioFormatError).code).toBe(code);
      }
    }
  });
});

describe('AIFF fuzz', () => {
  it('survives 5,000 mutated AIFF-C files: a typed error or audio, never a crash or a huge allocation', () => {
    const seed = ffmpegTo('fuzz.aifc', 'pcm_s16le').slice(0, 400);
    const fuzz = mulberry32(9);
    for (let n = 0; n < 5000; n++) {
      const bytes = seed.slice(0, fuzz() < 0.2 ? Math.floor(fuzz() * seed.length) : seed.length);
      for (let k = 0; k < 1 + Math.floor(fuzz() * 4); k++)
        bytes[Math.floor(fuzz() * Math.min(120, bytes.length))] = Math.floor(fuzz() * 256);
      try {
        const audio = decodeAudioFile(bytes);
        expect(audio.channels.length * (audio.channels[0]?.length ?? 0)).toBeLessThanOrEqual(bytes.length);
      } catch (e) {
        if (!(e instanceof AudioFormatError)) throw e;
      }
    }
  });
});

describe('waveform peaks', () => {
  it('gives min and max per bucket', () => {
    const x = Float32Array.from([0, 0.5, -0.25, 0.1, -1, 0.3, 0.2, 0.9]);
    const { min, max } = computePeaks(x, 4);
    expect([...min]).toEqual([0, -0.25, -1, 0].map(Math.fround));
    expect([...max]).toEqual([0.5, 0.1, 0.3, 0.9].map(Math.fround));
    expect(computePeaks(new Float32Array(0), 3).max.length).toBe(3);
  });
});
