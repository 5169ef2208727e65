import { describe, expect, it } from 'vitest';
import { DEFAULT_MASTER, newTrack } from '../../contracts/project';
import { encodeAudio, encodeSource } from '../io/encoders';
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
