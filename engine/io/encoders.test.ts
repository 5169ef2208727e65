import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegEbur128 } from '../../tests/support/ffmpeg';
import type { AudioData } from '../audio-data';
import { masterAudio } from '../master/master';
import { drumLoop, noiseSong } from '../test-support/signals';
import { createEncoder, encodeAudio } from './encoders';
import { decodeWav } from './wav';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-codecs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tags = { title: 'Nuit à Irkoutsk', artist: 'Ånna & the Taiga' };

function run(command: string, args: string[]): { stdout: Buffer; stderr: string } {
  const r = spawnSync(command, args, { maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr.toString().slice(-1000)}`);
  return { stdout: r.stdout, stderr: r.stderr.toString() };
}
/** What ffmpeg decodes a file to, as raw PCM of the given sample format. */
const pcm = (file: string, format: string, extra: string[] = []) =>
  run('ffmpeg', ['-v', 'error', '-i', file, ...extra, '-f', format, '-']).stdout;
const probeTags = (file: string) =>
  JSON.parse(
    run('ffprobe', ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', file]).stdout.toString(),
  ).format.tags as Record<string, string>;
const lower = (t: Record<string, string>) =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [k.toLowerCase(), v]));

async function write(
  audio: AudioData,
  format: Parameters<typeof encodeAudio>[1],
  name: string,
  rate?: number,
) {
  const { bytes, clipping } = await encodeAudio(audio, format, { ditherSeed: 7, tags, rate });
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return { file, bytes, clipping };
}

describe('FLAC export', () => {
  const song = noiseSong(6, 48000, 3);

  for (const [flac, wav, raw] of [
    ['flac16', 'wav16', 's16le'],
    ['flac24', 'wav24', 's24le'],
  ] as const) {
    it(`${flac} decodes bit-exact to the ${wav} of the same seed, passes flac -t, carries its tags`, async () => {
      const a = await write(song, flac, `${flac}.flac`);
      const b = await write(song, wav, `${wav}.wav`);
      const fromFlac = pcm(a.file, raw);
      const fromWav = pcm(b.file, raw);
      expect(fromFlac.byteLength).toBe(6 * 48000 * 2 * (raw === 's16le' ? 2 : 3));
      expect(fromFlac.equals(fromWav)).toBe(true);
      // flac -t checks every frame's CRC and the STREAMINFO MD5 against the decoded samples.
      expect(run('flac', ['-t', a.file]).stderr).toMatch(/ok/);
      expect(lower(probeTags(a.file))).toMatchObject({ title: tags.title, artist: tags.artist });
      expect(lower(probeTags(b.file))).toMatchObject({ title: tags.title, artist: tags.artist });
      // Lossless packs smaller than PCM even on noise-like material.
      expect(a.bytes.byteLength).toBeLessThan(b.bytes.byteLength);
    }, 120_000);
  }

  it('packs silence and streams with an unknown length (header patched at the end)', async () => {
    const encoder = await createEncoder('flac16', { sampleRate: 44100, channelCount: 1 });
    const silence = [new Float32Array(10000)];
    const pieces = [
      encoder.header(),
      encoder.encode(silence, 10000).slice(),
      encoder.encode(silence, 3333).slice(),
    ];
    const { tail, headerPatch } = encoder.finish();
    pieces.push(...tail);
    const bytes = Buffer.concat(pieces);
    expect(headerPatch?.offset).toBe(8);
    bytes.set(headerPatch?.bytes as Uint8Array, headerPatch?.offset);
    const file = path.join(dir, 'silence.flac');
    writeFileSync(file, bytes);
    run('flac', ['-t', file]);
    expect(pcm(file, 's16le').byteLength).toBe(13333 * 2);
    expect(bytes.byteLength).toBeLessThan(400);
  });
});

describe('WAV export', () => {
  it('streams with an unknown length: the patched header gives the sizes, the LIST/INFO tags follow the samples', async () => {
    const encoder = await createEncoder('wav16', { sampleRate: 44100, channelCount: 2, tags, ditherSeed: 3 });
    const block = [new Float32Array(1001).fill(0.25), new Float32Array(1001).fill(-0.25)];
    const pieces = [
      encoder.header(),
      encoder.encode(block, 1001).slice(),
      encoder.encode(block, 500).slice(),
    ];
    const { tail, headerPatch } = encoder.finish();
    pieces.push(...tail);
    const bytes = Buffer.concat(pieces);
    expect(headerPatch?.offset).toBe(0);
    bytes.set(headerPatch?.bytes as Uint8Array, 0);
    // RIFF size: everything after its first 8 bytes, tags included.
    expect(bytes.readUInt32LE(4)).toBe(bytes.byteLength - 8);
    const file = path.join(dir, 'streamed.wav');
    writeFileSync(file, bytes);
    expect(pcm(file, 's16le').byteLength).toBe(1501 * 4);
    expect(lower(probeTags(file))).toMatchObject({ title: tags.title, artist: tags.artist });
    expect(decodeWav(bytes).channels[0]?.length).toBe(1501);
  });
});

describe('FLAC packing on music', () => {
  it("packs a fluidsynth render within 3 % of ffmpeg's FLAC, at 16 bits and at 24 (wasted low bits shifted out)", async () => {
    const midi = '/usr/share/games/openttd/baseset/openmsx/boogi_marabi_redfarn.mid';
    const rendered = path.join(dir, 'music.wav');
    run('fluidsynth', ['-ni', '-F', rendered, '-r', '48000', '/usr/share/sounds/sf2/TimGM6mb.sf2', midi]);
    const music = path.join(dir, 'music20.wav');
    run('sox', [rendered, '-b', '24', music, 'trim', '0', '20']);
    const audio = decodeWav(readFileSync(music));
    for (const [format, sampleFmt] of [
      ['flac16', 's16'],
      ['flac24', 's32'],
    ] as const) {
      const ours = await write(audio, format, `music-${format}.flac`);
      const theirs = path.join(dir, `music-ffmpeg-${format}.flac`);
      run('ffmpeg', ['-v', 'error', '-i', music, '-c:a', 'flac', '-sample_fmt', sampleFmt, theirs]);
      run('flac', ['-t', ours.file]);
      expect(ours.bytes.byteLength / statSync(theirs).size, format).toBeLessThan(1.03);
    }
  }, 180_000);
});

describe('MP3 export', () => {
  // Mastered material (−14 LUFS, −1 dBTP), as an MP3 export would be fed: a drum loop, and a dense
  // noise song (the worst case for MP3's overshoot: measured +0.6 dB over the ceiling, where the drums
  // stay at +0.3).
  const master = (audio: AudioData) =>
    masterAudio(audio, { targetLufs: -14, ceilingDbtp: -1, glue: false, tilt: 'neutral' }).audio;
  const mastered = master(drumLoop(12, 48000));
  const dense = master(noiseSong(12, 48000, 5));

  it('320 kbit/s: within 0.3 LU of the WAV, true peak under the ceiling + 0.5 dB, gapless length and alignment, ID3 tags', async () => {
    const wav = await write(mastered, 'wav24', 'master.wav');
    const mp3 = await write(mastered, 'mp3-320', 'master.mp3');
    const ref = ffmpegEbur128(wav.file);
    const got = ffmpegEbur128(mp3.file);
    expect(Math.abs(got.integrated - ref.integrated)).toBeLessThanOrEqual(0.3);
    expect(got.truePeak).toBeLessThanOrEqual(-1 + 0.5);
    // The LAME Info frame's delay and padding let the decoder give back exactly the mix's frames…
    const decoded = new Float32Array(new Uint8Array(pcm(mp3.file, 'f32le', ['-ac', '1'])).buffer);
    const frames = mastered.channels[0]?.length as number;
    expect(decoded.length).toBe(frames);
    // … in place: the best-matching lag against the original is 0.
    const mono = Float32Array.from(
      { length: frames },
      (_, i) =>
        (((mastered.channels[0] as Float32Array)[i] as number) +
          ((mastered.channels[1] as Float32Array)[i] as number)) /
        2,
    );
    let best = { lag: Number.NaN, score: Number.NEGATIVE_INFINITY };
    for (let lag = -1200; lag <= 1200; lag++) {
      let s = 0;
      for (let i = 48000; i < 52800; i++) s += (mono[i] as number) * (decoded[i + lag] as number);
      if (s > best.score) best = { lag, score: s };
    }
    expect(best.lag).toBe(0);
    expect(lower(probeTags(mp3.file))).toMatchObject({ title: tags.title, artist: tags.artist });
    expect(mp3.bytes.byteLength / 12).toBeGreaterThan(0.95 * 40000);
    const denseWav = ffmpegEbur128((await write(dense, 'wav24', 'dense.wav')).file);
    const denseMp3 = ffmpegEbur128((await write(dense, 'mp3-320', 'dense.mp3')).file);
    expect(Math.abs(denseMp3.integrated - denseWav.integrated)).toBeLessThanOrEqual(0.3);
    expect(denseMp3.truePeak).toBeLessThanOrEqual(-1 + 0.7);
  }, 120_000);

  it('V0 is variable rate, decodes to the same length, and is smaller than 320', async () => {
    const v0 = await write(mastered, 'mp3-v0', 'master-v0.mp3');
    const cbr = await write(mastered, 'mp3-320', 'master-cbr.mp3');
    const decoded = pcm(v0.file, 'f32le', ['-ac', '1']);
    expect(decoded.byteLength / 4).toBe(mastered.channels[0]?.length);
    expect(v0.bytes.byteLength).toBeLessThan(cbr.bytes.byteLength);
    expect(Buffer.from(v0.bytes).includes('Xing')).toBe(true);
    const ref = ffmpegEbur128(cbr.file);
    expect(Math.abs(ffmpegEbur128(v0.file).integrated - ref.integrated)).toBeLessThan(0.3);
  }, 120_000);

  it('counts what clips beyond full scale', async () => {
    const hot = {
      sampleRate: 44100,
      channels: [Float32Array.from({ length: 44100 }, (_, i) => 1.5 * Math.sin(i / 10))],
    };
    const { clipping } = await encodeAudio(hot, 'mp3-320');
    expect(clipping.samples).toBeGreaterThan(10000);
    expect(clipping.peak).toBeCloseTo(1.5, 2);
  });

  it('refuses a rate MP3 cannot hold', async () => {
    await expect(createEncoder('mp3-320', { sampleRate: 96000, channelCount: 2 })).rejects.toThrow(
      /32, 44\.1 or 48 kHz, not 96000 Hz/,
    );
  });
});

describe('44.1 kHz export from a 48 kHz session', () => {
  const level = (x: Float32Array, freq: number, rate: number) => {
    const from = Math.floor(x.length * 0.2);
    const to = Math.floor(x.length * 0.8);
    let re = 0;
    let im = 0;
    for (let i = from; i < to; i++) {
      re += (x[i] as number) * Math.cos((2 * Math.PI * freq * i) / rate);
      im += (x[i] as number) * Math.sin((2 * Math.PI * freq * i) / rate);
    }
    return (2 * Math.hypot(re, im)) / (to - from);
  };
  const tone = (freq: number) => ({
    sampleRate: 48000,
    channels: [
      Float32Array.from({ length: 12000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * freq * i) / 48000)),
    ],
  });

  it('keeps the passband within 0.1 dB to 18 kHz and folds a 23 kHz tone below −60 dB (32-bit float WAV, read back by ffmpeg)', async () => {
    let worst = 0;
    for (const f of [100, 1000, 5000, 10000, 15000, 18000]) {
      const { file } = await write(tone(f), 'wav32f', `tone-${f}.wav`, 44100);
      const x = new Float32Array(new Uint8Array(pcm(file, 'f32le')).buffer);
      expect(x.length).toBe(11025);
      worst = Math.max(worst, Math.abs(20 * Math.log10(level(x, f, 44100) / 0.5)));
    }
    expect(worst).toBeLessThan(0.1);
    const { file } = await write(tone(23000), 'wav32f', 'tone-23k.wav', 44100);
    const x = new Float32Array(new Uint8Array(pcm(file, 'f32le')).buffer);
    expect(20 * Math.log10(level(x, 21100, 44100) / 0.5)).toBeLessThan(-60);
  }, 120_000);
});
