import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AudioData } from '../audio-data';
import { mulberry32 } from '../dsp/random';
import { resample } from '../dsp/resample';
import { decodeAudioFile } from './decode';
import { bytesSource } from './pcm';
import { fileSource, memorySource, resampledSource, stereoSource } from './sources';
import { encodeWav, WavEncoder } from './wav';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ffmpeg = (...args: string[]) =>
  expect(spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]).status).toBe(0);

function noise(frames: number, channels: number, rate = 48000, seed = 9): AudioData {
  const rng = mulberry32(seed);
  return {
    sampleRate: rate,
    channels: Array.from({ length: channels }, () =>
      Float32Array.from({ length: frames }, () => Math.round((rng() * 2 - 1) * 8000000) / 8388608),
    ),
  };
}

/** Every frame of a source, read in blocks of `block`. */
function drain(source: ReturnType<typeof memorySource>, block: number): Float32Array[] {
  const out = Array.from({ length: source.channelCount }, () => new Float32Array(source.frames));
  const scratch = Array.from({ length: source.channelCount }, () => new Float32Array(block));
  for (let at = 0; ; ) {
    const n = source.read(scratch, block);
    if (n === 0) break;
    scratch.forEach((s, c) => {
      (out[c] as Float32Array).set(s.subarray(0, n), at);
    });
    at += n;
  }
  return out;
}

describe('sizes a crashed recorder leaves', () => {
  const audio = noise(1000, 2);
  const wav = encodeWav(audio, { format: 'wav24' });

  it.each([
    ['0', 0],
    ['0xFFFFFFFF', 0xffffffff],
    ['beyond the file', 0x7ffffff0],
  ])('a WAV whose data size is %s is read to its last whole frame, with a notice', (_, size) => {
    // Cut mid-frame too: only whole frames are read.
    const bytes = wav.slice(0, wav.length - 4);
    new DataView(bytes.buffer).setUint32(40, size, true);
    const back = decodeAudioFile(bytes);
    expect(back.channels[0]?.length).toBe(999);
    expect(back.channels[1]?.subarray(0, 999)).toEqual(audio.channels[1]?.subarray(0, 999));
    expect(back.notice).toMatch(/read to the end of the file instead \(999 frames\)/);
    // What the file claimed, as numbers for the desk: 0 frames, no size, or more than is there.
    const declared = size === 0xffffffff ? null : Math.floor(size / 6);
    expect(back.recovered).toEqual({ declaredFrames: declared });
    expect(decodeAudioFile(wav).notice).toBeUndefined();
    expect(decodeAudioFile(wav).recovered).toBeUndefined();
  });

  it('an AIFF whose frame count and sound size are 0 is read to its last whole frame, with a notice', () => {
    const src = path.join(dir, 'a.wav');
    writeFileSync(src, wav);
    const aiff = path.join(dir, 'a.aiff');
    ffmpeg('-i', src, '-c:a', 'pcm_s24be', aiff);
    const bytes = new Uint8Array(readFileSync(aiff));
    const view = new DataView(bytes.buffer);
    // COMM's frame count and SSND's size, found by their ids.
    const find = (id: string) => Buffer.from(bytes).indexOf(id);
    view.setUint32(find('COMM') + 8 + 2, 0);
    view.setUint32(find('SSND') + 4, 0);
    const back = decodeAudioFile(bytes);
    expect(back.channels[0]).toEqual(audio.channels[0]);
    expect(back.notice).toMatch(/read to the end of the file instead \(1000 frames\)/);
    expect(back.recovered).toEqual({ declaredFrames: 0 });
  });
});

describe('RF64', () => {
  it('is written when asked (and past 4 GiB), read back exactly, and read by ffmpeg', () => {
    const audio = noise(3000, 2, 44100, 4);
    const bytes = encodeWav(audio, { format: 'wav24', rf64: true });
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RF64');
    expect(new TextDecoder().decode(bytes.subarray(12, 16))).toBe('ds64');
    const back = decodeAudioFile(bytes);
    expect(back.notice).toBeUndefined();
    expect(back.channels).toEqual(audio.channels);
    const file = path.join(dir, 'rf64.wav');
    writeFileSync(file, bytes);
    const raw = path.join(dir, 'rf64.f32');
    ffmpeg('-i', file, '-f', 'f32le', raw);
    const fromFfmpeg = new Float32Array(new Uint8Array(readFileSync(raw)).buffer);
    expect(fromFfmpeg.length).toBe(6000);
    expect(fromFfmpeg[2 * 1234 + 1]).toBe(audio.channels[1]?.[1234]);
    // Past 4 GiB of data the encoder needs no asking (the header alone is checked here).
    const big = new WavEncoder({ sampleRate: 48000, channelCount: 2, frames: 2 ** 30 }, { format: 'wav24' });
    expect(new TextDecoder().decode(big.header.subarray(0, 4))).toBe('RF64');
    const small = new WavEncoder({ sampleRate: 48000, channelCount: 2, frames: 1000 }, { format: 'wav24' });
    expect(new TextDecoder().decode(small.header.subarray(0, 4))).toBe('RIFF');
  });
});

describe('streams', () => {
  it('a file read a block at a time is the file decoded whole, for WAV and RF64', () => {
    const audio = noise(10007, 3);
    for (const rf64 of [false, true]) {
      const bytes = encodeWav(audio, { format: 'wav24', rf64 });
      for (const block of [1, 999, 4096, 20000])
        expect(drain(fileSource(bytesSource(bytes)), block)).toEqual(decodeAudioFile(bytes).channels);
    }
  });

  it('a WAV written a block at a time is encodeWav, byte for byte, and counts what clips', () => {
    const audio = noise(5001, 2);
    audio.channels[0]?.set([1.5, -1.25, 1], 100);
    for (const format of ['wav24', 'wav32f'] as const) {
      const encoder = new WavEncoder({ sampleRate: 48000, channelCount: 2, frames: 5001 }, { format });
      const pieces = [encoder.header];
      for (let at = 0; at < 5001; at += 1000) {
        const n = Math.min(1000, 5001 - at);
        pieces.push(
          encoder
            .encode(
              audio.channels.map((ch) => ch.subarray(at, at + n)),
              n,
            )
            .slice(),
        );
      }
      pieces.push(encoder.trailer());
      expect(Buffer.concat(pieces)).toEqual(Buffer.from(encodeWav(audio, { format })));
      expect(encoder.clipping).toEqual(
        format === 'wav32f' ? { samples: 0, peak: 1.5 } : { samples: 3, peak: 1.5 },
      );
    }
  });

  it('counts clipped samples in a block whatever else it holds (a NaN fails every comparison)', () => {
    const encoder = new WavEncoder({ sampleRate: 48000, channelCount: 1, frames: 8 }, { format: 'wav24' });
    encoder.encode([Float32Array.from([0.1, Number.NaN, -2, 0.5])], 4);
    expect(encoder.clipping.samples).toBe(1);
    encoder.encode([Float32Array.from([0.1, 1.5, -0.2, 0.3])], 4);
    expect(encoder.clipping.samples).toBe(2);
  });

  it('a source resampled as it is read is the source resampled whole', () => {
    const audio = noise(30011, 2, 44100, 5);
    const whole = resample(audio, 48000).channels;
    for (const block of [333, 4096])
      expect(drain(resampledSource(memorySource(audio), 48000), block)).toEqual(whole);
    const down = resample(audio, 22050).channels;
    expect(drain(resampledSource(memorySource(audio), 22050), 1000)).toEqual(down);
  });

  it('5.1 is downmixed to stereo after BS.775 (centre and surrounds at −3 dB, no LFE), and says so', () => {
    const frames = 100;
    const ch = (v: number) => new Float32Array(frames).fill(v);
    // L R C LFE Ls Rs: a centre-only 5.1 once mixed to silence.
    const surround = { sampleRate: 48000, channels: [ch(0), ch(0), ch(0.5), ch(0.9), ch(0.2), ch(0)] };
    const stereo = stereoSource(memorySource(surround), 64);
    expect(stereo.channelCount).toBe(2);
    expect(stereo.notice).toMatch(/5\.1 source \(L R C LFE Ls Rs\), downmixed to stereo after ITU-R BS\.775/);
    const [left, right] = drain(stereo, 64) as [Float32Array, Float32Array];
    expect(left[50]).toBeCloseTo(0.5 * Math.SQRT1_2 + 0.2 * Math.SQRT1_2, 6);
    expect(right[50]).toBeCloseTo(0.5 * Math.SQRT1_2, 6);
  });
});
