import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_CLIP,
  DEFAULT_MASTER,
  DEFAULT_REVERB_BUS,
  newTrack,
  type ReverbBusSettings,
  type Track,
} from '../../contracts/project';
import type { AudioData } from '../audio-data';
import { dbToGain, panGains } from '../dsp/laws';
import { Reverb } from '../dsp/reverb';
import { noiseSong, sineSegments } from '../test-support/signals';
import { clipSpan } from './clip-span';
import { mixSourceChannels } from './mix-source';
import { clipBlock, Mixer, type StripBlock } from './mixer';
import { renderMix } from './render';

const rate = 48000;
const bus: ReverbBusSettings = { returnDb: -3, size: 0.35, decaySec: 0.6, damping: 0.5, preDelayMs: 12 };
const track = (id: string, patch: Partial<Track> = {}): Track => ({
  ...newTrack(id, id, `${id}.wav`),
  ...patch,
});
const send = (levelDb: number, preFader: boolean) => ({ enabled: true, levelDb, preFader });

function impulse(seconds: number): AudioData {
  const x = new Float32Array(Math.round(seconds * rate));
  x[0] = 1;
  return { sampleRate: rate, channels: [x] };
}

/** Peak of a − b over both channels, in dBFS (−∞ when equal). */
function diffDb(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let worst = 0;
  for (let c = 0; c < 2; c++) {
    const x = a[c] as Float32Array;
    const y = b[c] as Float32Array;
    expect(x.length).toBe(y.length);
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  }
  return 20 * Math.log10(worst);
}

/** How many samples of a and b differ (a count, so a failure prints fast). */
function differing(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let n = 0;
  a.forEach((x, c) => {
    const y = b[c] as Float32Array;
    expect(x.length).toBe(y.length);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) n++;
  });
  return n;
}

const minus = (a: readonly Float32Array[], b: readonly Float32Array[]) =>
  a.map((x, c) => x.map((v, i) => v - ((b[c] as Float32Array)[i] as number)));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the reverb send and bus', () => {
  it('a post-fader send at −6 dB on an impulse puts the reverb’s impulse response × gain on the bus', () => {
    const tracks = [track('a', { send: send(-6, false) })];
    const sources = [{ trackId: 'a', audio: impulse(1.5) }];
    const wet = renderMix({ tracks, master: DEFAULT_MASTER, sampleRate: rate, sources, reverb: bus });
    const dry = renderMix({ tracks, master: DEFAULT_MASTER, sampleRate: rate, sources });
    const onBus = minus(wet.channels, dry.channels);
    // The reference: the same reverb fed a unit impulse on both sides, scaled by what reaches the
    // bus (send level × fader × pan law, centre) and by the return.
    const frames = onBus[0]?.length ?? 0;
    const unit = new Float32Array(frames);
    unit[0] = 1;
    const ir = [new Float32Array(frames), new Float32Array(frames)] as const;
    new Reverb(rate, bus).process(unit, unit, ir[0], ir[1], frames);
    const scale = dbToGain(-6) * panGains(0).left * dbToGain(bus.returnDb);
    const expected = ir.map((x) => x.map((v) => v * scale));
    let energy = 0;
    for (const v of onBus[0] as Float32Array) energy += v * v;
    expect(energy).toBeGreaterThan(1e-4);
    expect(diffDb(onBus, expected)).toBeLessThan(-90);
    // The pre-delay: nothing on the bus before it.
    const pre = Math.round((bus.preDelayMs / 1000) * rate);
    expect(Math.max(...(onBus[0] as Float32Array).subarray(0, pre).map(Math.abs))).toBe(0);
  });

  it('pre- and post-fader sends differ by exactly the fader and the pan law, the compressor on or not', () => {
    const strip = {
      gainDb: -8,
      compressor: { enabled: true, thresholdDb: -24, ratio: 4, attackMs: 5, releaseMs: 80, makeupDb: 3 },
    };
    const sources = [
      {
        trackId: 'a',
        audio: { sampleRate: rate, channels: [noiseSong(1, rate).channels[0] as Float32Array] },
      },
    ];
    const render = (s: Track['send'] | null) =>
      renderMix({
        tracks: [track('a', { ...strip, ...(s ? { send: s } : {}) })],
        master: DEFAULT_MASTER,
        sampleRate: rate,
        sources,
        reverb: bus,
      });
    const dry = render(null).channels;
    const pre = minus(render(send(-4, true)).channels, dry);
    const post = minus(render(send(-4, false)).channels, dry);
    const factor = dbToGain(-8) * panGains(0).left;
    expect(
      diffDb(
        post,
        pre.map((x) => x.map((v) => v * factor)),
      ),
    ).toBeLessThan(-90);
    let energy = 0;
    for (const v of pre[1] as Float32Array) energy += v * v;
    expect(energy).toBeGreaterThan(1e-3);
  });

  it('a bus with no send on costs nothing: the reverb never runs and the mix is the dry mix', () => {
    const spy = vi.spyOn(Reverb.prototype, 'process');
    const sources = [{ trackId: 'a', audio: sineSegments([[-6, 0.5]], { channels: 2 }) }];
    const muted = [track('a'), track('b', { mute: true, send: send(0, true) })];
    const withBus = renderMix({
      tracks: muted,
      master: DEFAULT_MASTER,
      sampleRate: rate,
      sources,
      reverb: bus,
    });
    const without = renderMix({ tracks: muted, master: DEFAULT_MASTER, sampleRate: rate, sources });
    expect(spy).not.toHaveBeenCalled();
    expect(differing(withBus.channels, without.channels)).toBe(0);
    // A send with no bus goes nowhere either.
    const sending = [track('a', { send: send(0, false) })];
    const nowhere = renderMix({ tracks: sending, master: DEFAULT_MASTER, sampleRate: rate, sources });
    expect(differing(nowhere.channels, without.channels)).toBe(0);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('Mixer', () => {
  const everything = (): { tracks: Track[]; sources: { trackId: string; audio: AudioData }[] } => ({
    tracks: [
      track('a', {
        gainDb: -4.5,
        pan: -0.35,
        startOffsetSec: 0.013,
        eq: {
          low: { gainDb: 4, freqHz: 90 },
          mid: { gainDb: -5, freqHz: 1400, q: 1.7 },
          high: { gainDb: 3, freqHz: 9000 },
        },
        compressor: { enabled: true, thresholdDb: -20, ratio: 3, attackMs: 4, releaseMs: 120, makeupDb: 2 },
        clip: {
          ...DEFAULT_CLIP,
          trimStartSec: 0.05,
          lengthSec: 0.8,
          fadeInSec: 0.03,
          fadeOutSec: 0.2,
          fadeOutCurve: 'linear',
        },
        send: send(-9, false),
      }),
      track('b', {
        gainDb: 2,
        pan: 0.6,
        send: send(-12, true),
        eq: { ...newTrack('b', '', '').eq, mid: { gainDb: 6, freqHz: 300, q: 0.8 } },
      }),
      track('c', { mute: true, send: send(0, true) }),
      track('d', { pan: -0.8, send: send(-3, false), startOffsetSec: 0.4 }),
    ],
    sources: [
      { trackId: 'a', audio: noiseSong(1, rate, 3) },
      { trackId: 'b', audio: sineSegments([[-9, 0.7]], { channels: 1, freq: 330, rate: 44100 }) },
      { trackId: 'c', audio: noiseSong(0.5, rate, 4) },
      // 5.1 at 44.1 kHz: downmixed to stereo and resampled, on both sides alike.
      {
        trackId: 'd',
        audio: {
          sampleRate: 44100,
          channels: [0, 1, 2, 3, 4, 5].map((c) => noiseSong(0.4, 44100, 10 + c).channels[0] as Float32Array),
        },
      },
    ],
  });

  it('run on 128-frame blocks over whole sources in memory, makes the export’s very samples', () => {
    const { tracks, sources } = everything();
    const input = { tracks, master: { gainDb: -1.5 }, sampleRate: rate, reverb: bus };
    const exported = renderMix({ ...input, sources });
    const mixer = new Mixer(input, 128);
    const held = mixer.trackIds.map((id) => {
      const audio = sources.find((s) => s.trackId === id)?.audio as AudioData;
      const channels = mixSourceChannels(audio, rate);
      const t = tracks.find((x) => x.id === id) as Track;
      return { channels, span: clipSpan(t, channels[0]?.length ?? 0, rate) };
    });
    const slots = held.map(
      (): StripBlock => ({
        channels: [],
        start: 0,
        n: 0,
        at: 0,
        clipFrame: 0,
        fades: held[0]?.span.fades as never,
      }),
    );
    const frames = exported.channels[0]?.length ?? 0;
    const out = [new Float32Array(frames), new Float32Array(frames)];
    const blocks: Array<StripBlock | null> = held.map(() => null);
    for (let at = 0; at < frames; at += 128) {
      const n = Math.min(128, frames - at);
      held.forEach((h, i) => {
        blocks[i] = clipBlock(slots[i] as StripBlock, h.channels, h.span, at, n);
      });
      const block = mixer.process(blocks, n);
      out[0]?.set(block[0].subarray(0, n), at);
      out[1]?.set(block[1].subarray(0, n), at);
    }
    expect(differing(out, exported.channels)).toBe(0);
  });

  it('glides a live change over a few blocks instead of jumping, and lands on the new value', () => {
    const dc = { sampleRate: rate, channels: [new Float32Array(rate).fill(0.5)] };
    const t = track('a');
    const mixer = new Mixer({ tracks: [t], master: DEFAULT_MASTER, sampleRate: rate }, 128);
    const block: StripBlock = {
      channels: dc.channels,
      start: 0,
      n: 128,
      at: 0,
      clipFrame: 0,
      fades: clipSpan(t, rate, rate).fades,
    };
    const levels: number[] = [];
    for (let b = 0; b < 120; b++) {
      if (b === 2)
        mixer.update({ tracks: [{ ...t, gainDb: -20 }], master: DEFAULT_MASTER, sampleRate: rate });
      const out = mixer.process([block], 128)[0];
      for (const v of out) levels.push(v);
    }
    const before = 0.5 * panGains(0).left;
    const after = before * dbToGain(-20);
    expect(levels[255]).toBeCloseTo(before, 6);
    expect(levels.at(-1)).toBe(Math.fround(0.5 * (dbToGain(-20) * panGains(0).left)));
    let biggestStep = 0;
    for (let i = 1; i < levels.length; i++)
      biggestStep = Math.max(biggestStep, Math.abs((levels[i] as number) - (levels[i - 1] as number)));
    // A jump would be the whole 0.318; the glide moves at most ~1/70 of it per sample.
    expect(biggestStep).toBeLessThan((before - after) / 50);
  });

  it('lets the reverb ring out after the last send goes off, then stops running it', () => {
    const spy = vi.spyOn(Reverb.prototype, 'process');
    const t = track('a', { send: send(0, true) });
    const x = impulse(0.01).channels;
    const settings = { ...DEFAULT_REVERB_BUS, decaySec: 0.2 };
    const mixer = new Mixer({ tracks: [t], master: DEFAULT_MASTER, sampleRate: rate, reverb: settings }, 128);
    const fades = clipSpan(t, 128, rate).fades;
    mixer.process([{ channels: x, start: 0, n: 128, at: 0, clipFrame: 0, fades }], 128);
    mixer.update({
      tracks: [{ ...t, send: { ...t.send, enabled: false } }],
      master: DEFAULT_MASTER,
      sampleRate: rate,
      reverb: settings,
    });
    let heard = 0;
    for (let b = 0; b < 400; b++) heard += Math.abs(mixer.process([null], 128)[0][64] as number);
    expect(heard).toBeGreaterThan(0);
    const calls = spy.mock.calls.length;
    // The send's glide to nothing (under 0.2 s), then 1.5 × 0.2 s + pre-delay + 0.1 s of tail.
    expect(calls).toBeLessThan(Math.ceil((0.62 * rate) / 128) + 3);
    mixer.process([null], 128);
    expect(spy.mock.calls.length).toBe(calls);
  });

  it('refuses a block longer than it was made for, and another sample rate', () => {
    const mixer = new Mixer({ tracks: [], master: DEFAULT_MASTER, sampleRate: rate }, 128);
    expect(() => mixer.process([], 129)).toThrow(/at most 128/);
    expect(() => mixer.update({ tracks: [], master: DEFAULT_MASTER, sampleRate: 44100 })).toThrow(
      /sample rate/,
    );
  });
});
