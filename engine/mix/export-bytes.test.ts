import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExportFormat } from '../../contracts/formats';
import { DEFAULT_REVERB_BUS, newTrack, type Track } from '../../contracts/project';
import { createEncoder, encodeSource } from '../io/encoders';
import { bytesSource } from '../io/pcm';
import { fileSource, resampledSource } from '../io/sources';
import { encodeWav } from '../io/wav';
import { noiseSong, sineSegments } from '../test-support/signals';
import { planarMixFrameSource } from './planar-render';
import { streamMix } from './render';

// The export's bytes, pinned: the files of a session that takes every stage of the desk (clip
// trim, offset and fades, EQ, compressor, pan, a reverb send; a float, a 16-bit, a mono 44.1 kHz and
// a 5.1 source) through the Worker's path (planarMixFrameSource → resampledSource → encodeSource)
// and the command line's (WAV files read a block at a time → streamMix → the encoder), by their
// SHA-256 as 4fa7a81 wrote them. The export's loops were rewritten to allocate nothing per block
// (scratch buffers, indexed loops, the reverb and the dither a block at a time): not a bit moved.

function session() {
  const desk = (id: string, i: number): Track => {
    const t = newTrack(id, id, `${id}.wav`);
    return {
      ...t,
      gainDb: -4 - i,
      pan: i % 2 ? 0.35 : -0.5,
      startOffsetSec: 0.1 * i,
      eq: {
        low: { gainDb: 3, freqHz: 120 },
        mid: { gainDb: -2.5, freqHz: 900, q: 1.2 },
        high: { gainDb: 1.5, freqHz: 7000 },
      },
      compressor: { ...t.compressor, enabled: i !== 2, thresholdDb: -20, ratio: 4 },
      clip: {
        ...t.clip,
        trimStartSec: 0.05 * i,
        fadeInSec: 0.4,
        fadeOutSec: 0.7,
        fadeOutCurve: 'equalPower',
      },
      send: { enabled: i !== 3, levelDb: -10 + i, preFader: i === 1 },
    };
  };
  const float = noiseSong(4, 48000, 7);
  const mono = sineSegments([[-9, 3.5]], { rate: 44100, freq: 330, channels: 1 });
  const sixteen = noiseSong(3, 48000, 11).channels.map((ch) =>
    Int16Array.from(ch, (x) => Math.max(-32768, Math.min(32767, Math.round(x * 32768)))),
  );
  const surround = sineSegments([[-12, 3]], { rate: 48000, freq: 200, channels: 6 });
  const tracks = ['float', 'mono', 'sixteen', 'surround'].map(desk);
  const sources = [
    { trackId: 'float', audio: float },
    { trackId: 'mono', audio: mono },
    { trackId: 'sixteen', audio: { sampleRate: 48000, channels: sixteen } },
    { trackId: 'surround', audio: surround },
  ];
  return { tracks, master: { gainDb: -1 }, reverb: DEFAULT_REVERB_BUS, sampleRate: 48000, sources };
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

async function workerExport(format: ExportFormat, rate: number): Promise<string> {
  const mixed = planarMixFrameSource(session());
  const { bytes } = await encodeSource(resampledSource(mixed, rate), format, {
    ditherSeed: 5,
    tags: { title: 'Pinned', artist: 'Siberia' },
  });
  return sha(bytes);
}

async function cliExport(format: ExportFormat): Promise<string> {
  const input = session();
  // Each source a 24-bit WAV read a block at a time (16-bit held as float, as the CLI reads it).
  const streams = input.sources.map((s) => {
    const channels = s.audio.channels.map((ch) =>
      ch instanceof Int16Array ? Float32Array.from(ch, (x) => x / 32768) : ch,
    );
    const file = encodeWav({ sampleRate: s.audio.sampleRate, channels }, { format: 'wav24' });
    return { trackId: s.trackId, source: fileSource(bytesSource(file)) };
  });
  const frames = planarMixFrameSource(input).frames;
  const encoder = await createEncoder(format, { sampleRate: 48000, channelCount: 2, frames, ditherSeed: 5 });
  const pieces: Uint8Array[] = [encoder.header().slice()];
  streamMix({ ...input, sources: streams }, (block, count) => {
    pieces.push(
      encoder
        .encode(count === block[0].length ? block : block.map((b) => b.subarray(0, count)), count)
        .slice(),
    );
  });
  const { tail, headerPatch } = encoder.finish();
  pieces.push(...tail);
  const file = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of pieces) {
    file.set(p, at);
    at += p.byteLength;
  }
  if (headerPatch) file.set(headerPatch.bytes, headerPatch.offset);
  return sha(file);
}

describe("the export's bytes", () => {
  it("are 4fa7a81's, in every format, through the Worker's path", async () => {
    const got: Record<string, string> = {};
    for (const [format, rate] of [
      ['wav16', 48000],
      ['wav24', 48000],
      ['wav32f', 48000],
      ['flac16', 48000],
      ['flac24', 48000],
      ['mp3-320', 48000],
      ['wav16', 44100],
      ['flac24', 44100],
    ] as const)
      got[`${format} ${rate}`] = await workerExport(format, rate);
    expect(got).toEqual({
      'wav16 48000': 'e0f2866d844ff6f1',
      'wav24 48000': 'cbc9dada1f65bf76',
      'wav32f 48000': 'a6b4594ba287ad72',
      'flac16 48000': 'bfda41a45aa05b4b',
      'flac24 48000': '315db2d6bac685c1',
      'mp3-320 48000': '1f49c28145d77347',
      'wav16 44100': 'e37c122282ef72f8',
      'flac24 44100': '70d89a31646af6c1',
    });
  });

  it("are 4fa7a81's through the command line's path", async () => {
    const got: Record<string, string> = {};
    for (const format of ['wav16', 'wav24', 'flac24', 'mp3-320'] as const)
      got[format] = await cliExport(format);
    expect(got).toEqual({
      wav16: '36d92fa75b3ff090',
      wav24: '19371a2065d87e0e',
      flac24: '9d25bd04ea094b19',
      'mp3-320': '769944801af4473c',
    });
  });
});
