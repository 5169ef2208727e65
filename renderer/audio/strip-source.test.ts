import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIP, newTrack, type Track } from '../../contracts/project';
import { mulberry32 } from '../../engine/dsp/random';
import type { PlanarChannel } from '../../engine/io/planar';
import { clipSpan } from '../../engine/mix/clip-span';
import { Mixer, type StripBlock } from '../../engine/mix/mixer';
import { holdSource, sourceBlock } from './strip-source';

const RATE = 48000;
const QUANTUM = 128;
const track = (id: string, patch: Partial<Track>): Track => ({ ...newTrack(id, id, `${id}.wav`), ...patch });
const tracks = [
  track('a', {
    gainDb: -3,
    pan: -0.5,
    startOffsetSec: 0.0071,
    clip: { ...DEFAULT_CLIP, trimStartSec: 0.0133, lengthSec: 0.5, fadeInSec: 0.03, fadeOutSec: 0.08 },
    eq: {
      low: { gainDb: 4, freqHz: 90 },
      mid: { gainDb: -3, freqHz: 1000, q: 1.2 },
      high: { gainDb: 2, freqHz: 8000 },
    },
    send: { enabled: true, levelDb: -8, preFader: false },
  }),
  track('b', {
    pan: 0.4,
    startOffsetSec: 0.05,
    compressor: { enabled: true, thresholdDb: -24, ratio: 4, attackMs: 2, releaseMs: 60, makeupDb: 3 },
  }),
];

function int16Noise(frames: number, seed: number): Int16Array {
  const rng = mulberry32(seed);
  return Int16Array.from({ length: frames }, () => Math.floor(rng() * 65536) - 32768);
}

/** The worklet's loop: every strip's block from its held source, 128 frames at a time, through the Mixer. */
function preview(sources: Record<string, readonly PlanarChannel[]>, frames: number): Float32Array[] {
  const input = {
    tracks,
    master: { gainDb: -1 },
    sampleRate: RATE,
    reverb: { returnDb: -5, size: 0.4, decaySec: 0.7, damping: 0.5, preDelayMs: 8 },
  };
  const mixer = new Mixer(input, QUANTUM, true);
  const held = mixer.trackIds.map((id) => {
    const channels = sources[id] as readonly PlanarChannel[];
    return holdSource(
      channels,
      clipSpan(tracks.find((t) => t.id === id) as Track, channels[0]?.length ?? 0, RATE),
      QUANTUM,
    );
  });
  const slots = held.map(
    (h): StripBlock => ({ channels: [], start: 0, n: 0, at: 0, clipFrame: 0, fades: h.span.fades }),
  );
  const blocks: Array<StripBlock | null> = held.map(() => null);
  const out = [new Float32Array(frames), new Float32Array(frames)];
  for (let at = 0; at < frames; at += QUANTUM) {
    const n = Math.min(QUANTUM, frames - at);
    held.forEach((h, i) => {
      blocks[i] = sourceBlock(slots[i] as StripBlock, h, at, n);
    });
    const [l, r] = mixer.process(blocks, n);
    out[0]?.set(l.subarray(0, n), at);
    out[1]?.set(r.subarray(0, n), at);
  }
  return out;
}

describe('the worklet reads 16-bit sources through a per-block scratch', () => {
  it('mixes Int16 sources to the very samples of Float32 sources holding value / 32768', () => {
    const a = [int16Noise(40_000, 1), int16Noise(40_000, 2)];
    const b = [int16Noise(30_000, 3)];
    const asFloat = (x: Int16Array) => Float32Array.from(x, (v) => v / 32768);
    const frames = 45_000;
    const fromInt16 = preview({ a, b }, frames);
    const fromFloat = preview({ a: a.map(asFloat), b: b.map(asFloat) }, frames);
    let differing = 0;
    let peak = 0;
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < frames; i++) {
        if (fromInt16[c]?.[i] !== fromFloat[c]?.[i]) differing++;
        peak = Math.max(peak, Math.abs(fromFloat[c]?.[i] as number));
      }
    expect(differing).toBe(0);
    expect(peak).toBeGreaterThan(0.1);
  });

  it('a float source is read in place (no scratch); a 16-bit one gets one block per channel', () => {
    const span = clipSpan(tracks[1] as Track, 1000, RATE);
    expect(holdSource([new Float32Array(1000)], span, QUANTUM).scratch).toBeNull();
    const held = holdSource(
      [Int16Array.of(16384, -16384, 8192), Int16Array.of(1, 2, 3)],
      clipSpan(track('c', {}), 3, RATE),
      QUANTUM,
    );
    expect(held.scratch?.map((s) => s.length)).toEqual([QUANTUM, QUANTUM]);
    const slot: StripBlock = { channels: [], start: 0, n: 0, at: 0, clipFrame: 0, fades: held.span.fades };
    const block = sourceBlock(slot, held, 1, 4);
    expect(block).toMatchObject({ start: 0, n: 2, at: 0, clipFrame: 1 });
    const read = (block as StripBlock).channels;
    expect([...(read[0] as Float32Array).subarray(0, 2)]).toEqual([-0.5, 0.25]);
    expect(read).toBe(held.scratch);
  });
});
