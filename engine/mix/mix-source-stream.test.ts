import { describe, expect, it } from 'vitest';
import { DEFAULT_MASTER, newTrack } from '../../contracts/project';
import { encodeAudio, encodeSource, encodeSourceTo } from '../io/encoders';
import { memorySource, resampledSource } from '../io/sources';
import { noiseSong, sineSegments } from '../test-support/signals';
import { mixFrameSource, RenderCancelledError, renderMix } from './render';

function session() {
  const a = noiseSong(1.3, 48000, 5);
  const b = sineSegments([[-8, 0.9]], { rate: 44100, freq: 220, channels: 1 });
  const t1 = { ...newTrack('a', 'A', 'a.wav'), gainDb: -3, pan: -0.4 };
  const t2 = { ...newTrack('b', 'B', 'b.wav'), startOffsetSec: 0.5 };
  const input = { tracks: [t1, t2], master: DEFAULT_MASTER, sampleRate: 48000 };
  const sources = [
    { trackId: 'a', audio: a },
    { trackId: 'b', audio: b },
  ];
  return { input, sources };
}
const streams = (sources: ReturnType<typeof session>['sources']) =>
  sources.map((s) => ({ trackId: s.trackId, source: memorySource(s.audio) }));

describe('the mix as a stream', () => {
  it('hands out exactly the frames renderMix gathers, whatever the reads', () => {
    const { input, sources } = session();
    const whole = renderMix({ ...input, sources });
    for (const size of [7, 4096, 5000, 1 << 20]) {
      const source = mixFrameSource({ ...input, sources: streams(sources) });
      expect(source.frames).toBe(whole.channels[0]?.length);
      const out = [new Float32Array(source.frames), new Float32Array(source.frames)];
      const block = [new Float32Array(size), new Float32Array(size)];
      let at = 0;
      for (let n = source.read(block, size); n > 0; n = source.read(block, size)) {
        out[0]?.set((block[0] as Float32Array).subarray(0, n), at);
        out[1]?.set((block[1] as Float32Array).subarray(0, n), at);
        at += n;
      }
      expect(at).toBe(source.frames);
      expect(out).toEqual(whole.channels);
    }
  });

  it('encodes as it renders to the very file renderMix then encodeAudio write, resampled or not', async () => {
    const { input, sources } = session();
    const whole = renderMix({ ...input, sources });
    for (const [format, rate] of [
      ['wav24', 48000],
      ['flac16', 44100],
    ] as const) {
      const streamed = await encodeSource(
        resampledSource(mixFrameSource({ ...input, sources: streams(sources) }), rate),
        format,
        { ditherSeed: 3 },
      );
      const gathered = await encodeAudio(whole, format, { rate, ditherSeed: 3 });
      expect(Buffer.from(streamed.bytes).equals(Buffer.from(gathered.bytes))).toBe(true);
    }
  });

  it('hands the file over in bounded pieces, header last, that make the very file encodeSource holds', async () => {
    // Five seconds: several of the encoder's 65536-frame blocks.
    const song = noiseSong(5, 48000, 7);
    for (const format of ['wav16', 'wav24', 'wav32f', 'flac24', 'mp3-320'] as const) {
      const whole = await encodeSource(memorySource(song), format, { ditherSeed: 3 });
      let file = new Uint8Array(0);
      const log: string[] = [];
      const pieceBytes = 20_000;
      let largest = 0;
      const result = await encodeSourceTo(
        memorySource(song),
        format,
        {
          // A sink that takes its time, as a write through main does: nothing is lost or reordered.
          write: async (bytes) => {
            await new Promise((r) => setTimeout(r, 0));
            largest = Math.max(largest, bytes.byteLength);
            log.push('write');
            const longer = new Uint8Array(file.length + bytes.length);
            longer.set(file);
            longer.set(bytes, file.length);
            file = longer;
          },
          patch: async (at, bytes) => {
            log.push('patch');
            expect(at + bytes.byteLength).toBeLessThanOrEqual(file.length);
            file.set(bytes, at);
          },
        },
        { ditherSeed: 3, pieceBytes },
      );
      expect(Buffer.from(file).equals(Buffer.from(whole.bytes)), format).toBe(true);
      expect(result).toEqual({ bytes: whole.bytes.byteLength, clipping: whole.clipping });
      expect(log.filter((l) => l === 'write').length, format).toBeGreaterThan(2);
      // Every piece is the size asked (the last one at most).
      expect(largest).toBe(pieceBytes);
      // Only a header completed at the end comes as a patch, after every piece.
      expect(log.indexOf('patch') === -1 || log.indexOf('patch') === log.length - 1).toBe(true);
    }
  });

  it('fills the buffers the sink gives back, to the very same file, and makes new ones only when none is given', async () => {
    const song = noiseSong(5, 48000, 7);
    const pieceBytes = 20_000;
    for (const format of ['wav24', 'flac16', 'mp3-320'] as const) {
      const whole = await encodeSource(memorySource(song), format, { ditherSeed: 3 });
      for (const giving of ['back', 'never', 'wrong size'] as const) {
        const file: number[] = [];
        const written: ArrayBuffer[] = [];
        const given: ArrayBuffer[] = [];
        let spare: ArrayBuffer | undefined;
        const result = await encodeSourceTo(
          memorySource(song),
          format,
          {
            write: async (bytes) => {
              await new Promise((r) => setTimeout(r, 0));
              file.push(...bytes);
              written.push(bytes.buffer as ArrayBuffer);
              // Stale bytes in a buffer given back must never reach the file.
              new Uint8Array(bytes.buffer).fill(0xee);
              spare =
                giving === 'wrong size' ? new ArrayBuffer(pieceBytes - 1) : (bytes.buffer as ArrayBuffer);
            },
            patch: (at, bytes) => void file.splice(at, bytes.byteLength, ...bytes),
            recycled:
              giving === 'never'
                ? undefined
                : () => {
                    const b = spare;
                    spare = undefined;
                    if (b) given.push(b);
                    return b;
                  },
          },
          { ditherSeed: 3, pieceBytes },
        );
        expect(Buffer.from(file).equals(Buffer.from(whole.bytes)), `${format} ${giving}`).toBe(true);
        expect(result).toEqual({ bytes: whole.bytes.byteLength, clipping: whole.clipping });
        expect(written.length).toBeGreaterThan(2);
        const distinct = new Set(written).size;
        if (giving === 'back') {
          // One buffer, written again and again: each one given back is the next one filled.
          expect(distinct, format).toBe(1);
          expect(given.length).toBe(written.length - 1);
          for (const [i, b] of given.entries()) expect(written[i + 1]).toBe(b);
        } else {
          // Nothing (fit) given back: a new buffer for each piece, as before.
          expect(distinct, `${format} ${giving}`).toBe(written.length);
          if (giving === 'wrong size') expect(given.length).toBe(written.length - 1);
        }
      }
    }
  });

  it('stops at the next read once cancelled', () => {
    const { input, sources } = session();
    const signal = { aborted: false };
    const source = mixFrameSource({ ...input, sources: streams(sources) }, { signal, blockSize: 1024 });
    const block = [new Float32Array(1024), new Float32Array(1024)];
    expect(source.read(block, 1024)).toBe(1024);
    signal.aborted = true;
    expect(() => source.read(block, 1024)).toThrow(RenderCancelledError);
  });
});
