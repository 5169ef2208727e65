import type { MasterSettings, ReverbBusSettings, Track } from '../../contracts/project';
import { BiquadState, biquadCoefficients } from '../dsp/biquad';
import { Compressor } from '../dsp/compressor';
import { applyFades, type ClipFades } from '../dsp/fades';
import { dbToGain, isAudible, panGains } from '../dsp/laws';
import { Reverb } from '../dsp/reverb';
import type { ClipSpan } from './clip-span';

export type MixerInput = {
  tracks: readonly Track[];
  master: Pick<MasterSettings, 'gainDb'>;
  /** The shared reverb bus; absent, there is none and the sends go nowhere. */
  reverb?: ReverbBusSettings;
  sampleRate: number;
};

/**
 * One strip's input for one block: frames [start, start + n) of its channels (one: mono, fed to
 * both sides; two: stereo), heard from index `at` of the block, being frame `clipFrame` of its clip
 * (where the fades are read).
 */
export type StripBlock = {
  channels: readonly Float32Array[];
  start: number;
  n: number;
  at: number;
  clipFrame: number;
  fades: ClipFades;
};

/** Parameter smoothing of the live preview: the time constant of a one-pole glide, in seconds. */
const GLIDE_SEC = 0.015;

/**
 * A value that glides to its target a block at a time (one-pole per block, linear within it).
 * Static, `from`, `to` and `target` are the same number, and the loops that read it compute exactly
 * what they would with a constant: the export (never updated) and the preview make the same samples.
 */
class Glide {
  from: number;
  to: number;
  target: number;
  constructor(value: number) {
    this.from = value;
    this.to = value;
    this.target = value;
  }
  step(k: number): void {
    this.from = this.to;
    if (this.to === this.target) return;
    const next = this.target + (this.to - this.target) * k;
    // Within 1e-5 (−100 dB of full scale) the last step is inaudible: land.
    this.to = Math.abs(next - this.target) <= 1e-5 * Math.max(1, Math.abs(this.target)) ? this.target : next;
  }
  snap(): void {
    this.from = this.target;
    this.to = this.target;
  }
  get moving(): boolean {
    return this.from !== this.to || this.to !== this.target;
  }
}

/** The EQ's seven numbers: low gain and frequency, mid gain, frequency and Q, high gain and frequency. */
type EqNumbers = [number, number, number, number, number, number, number];
const eqNumbers = (t: Track): EqNumbers => [
  t.eq.low.gainDb,
  t.eq.low.freqHz,
  t.eq.mid.gainDb,
  t.eq.mid.freqHz,
  t.eq.mid.q,
  t.eq.high.gainDb,
  t.eq.high.freqHz,
];

class Strip {
  readonly level: Glide;
  readonly gain: Glide;
  readonly panLeft: Glide;
  readonly panRight: Glide;
  readonly send: Glide;
  preFader = false;
  /** The EQ as heard (gliding towards `eqTarget`), and its three bands per channel. */
  readonly eq: EqNumbers;
  eqTarget: EqNumbers;
  readonly bands: [BiquadState[], BiquadState[]];
  readonly bandOn = [false, false, false];
  readonly compressor: Compressor;
  compressorOn = false;
  private compressorKey = '';

  constructor(
    readonly id: string,
    track: Track,
    audible: boolean,
    private readonly rate: number,
  ) {
    const pan = panGains(track.pan);
    this.level = new Glide(audible ? 1 : 0);
    this.gain = new Glide(dbToGain(track.gainDb));
    this.panLeft = new Glide(pan.left);
    this.panRight = new Glide(pan.right);
    this.send = new Glide(track.send.enabled ? dbToGain(track.send.levelDb) : 0);
    this.eqTarget = eqNumbers(track);
    this.eq = [...this.eqTarget];
    const flat = { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };
    this.bands = [0, 1].map(() => [0, 1, 2].map(() => new BiquadState(flat))) as [
      BiquadState[],
      BiquadState[],
    ];
    this.compressor = new Compressor(track.compressor, rate);
    this.set(track, audible);
    this.snap();
  }

  set(track: Track, audible: boolean): void {
    const pan = panGains(track.pan);
    this.level.target = audible ? 1 : 0;
    this.gain.target = dbToGain(track.gainDb);
    this.panLeft.target = pan.left;
    this.panRight.target = pan.right;
    this.send.target = track.send.enabled ? dbToGain(track.send.levelDb) : 0;
    this.preFader = track.send.preFader;
    this.eqTarget = eqNumbers(track);
    const c = track.compressor;
    const key = `${c.thresholdDb} ${c.ratio} ${c.attackMs} ${c.releaseMs} ${c.makeupDb}`;
    if (key !== this.compressorKey) {
      this.compressor.set(c);
      this.compressorKey = key;
    }
    if (c.enabled && !this.compressorOn) this.compressor.reset();
    this.compressorOn = c.enabled;
  }

  /** Every parameter at its target, every filter and envelope at rest: a render's first block. */
  snap(): void {
    for (const g of [this.level, this.gain, this.panLeft, this.panRight, this.send]) g.snap();
    for (let i = 0; i < 7; i++) this.eq[i] = this.eqTarget[i] as number;
    this.designEq(true);
    for (const side of this.bands) for (const b of side) b.reset();
    this.compressor.reset();
  }

  /** Moves the gains one block on, and the EQ (in dB, octaves and Q) towards its target. */
  step(k: number): void {
    // By name, not over an array: the worklet calls this per strip per quantum, allocating nothing.
    this.level.step(k);
    this.gain.step(k);
    this.panLeft.step(k);
    this.panRight.step(k);
    this.send.step(k);
    let moved = false;
    for (let i = 0; i < 7; i++) {
      const cur = this.eq[i] as number;
      const target = this.eqTarget[i] as number;
      if (cur === target) continue;
      moved = true;
      // Frequencies glide in octaves: a sweep sounds even from bass to treble.
      const isFreq = i === 1 || i === 3 || i === 6;
      const next = isFreq
        ? 2 ** (Math.log2(target) + (Math.log2(cur) - Math.log2(target)) * k)
        : target + (cur - target) * k;
      this.eq[i] = Math.abs(next - target) <= 1e-4 * Math.max(1, Math.abs(target)) ? target : next;
    }
    if (moved) this.designEq(false);
  }

  /** A band at 0 dB is the identity and is skipped, as the export always did. */
  private designEq(fresh: boolean): void {
    const [lowDb, lowHz, midDb, midHz, midQ, highDb, highHz] = this.eq;
    const designs = [
      lowDb === 0 ? null : biquadCoefficients('lowshelf', lowHz, lowDb, Math.SQRT1_2, this.rate),
      midDb === 0 ? null : biquadCoefficients('peaking', midHz, midDb, midQ, this.rate),
      highDb === 0 ? null : biquadCoefficients('highshelf', highHz, highDb, Math.SQRT1_2, this.rate),
    ];
    designs.forEach((design, band) => {
      const wasOn = this.bandOn[band];
      this.bandOn[band] = design !== null;
      if (!design) return;
      for (const side of this.bands) {
        const state = side[band] as BiquadState;
        state.setCoefficients(design);
        // A band coming in starts from rest, not from whatever it held when it went out.
        if (!wasOn && !fresh) state.reset();
      }
    });
  }

  get silent(): boolean {
    return this.level.from === 0 && this.level.to === 0;
  }
}

/**
 * The desk's strips and buses as a block processor, shared by the export (streamMix) and the
 * preview's AudioWorklet, so both make the same samples. Per strip: clip fades → EQ (low shelf,
 * peak, high shelf) → compressor → [pre-fader send] → fader gain → constant-power pan → [post-fader
 * send], summed; the reverb bus (Freeverb, fed the send bus's mono sum as the original is) times its
 * return joins the sum; then the master gain. `update` moves parameters live, gliding over ~15 ms so
 * nothing clicks; an export never calls it, so every value is static.
 */
export class Mixer {
  private strips: Strip[] = [];
  private readonly left: Float32Array;
  private readonly right: Float32Array;
  private readonly pair: Float32Array[];
  private readonly sendLeft: Float32Array;
  private readonly sendRight: Float32Array;
  private readonly wetLeft: Float32Array;
  private readonly wetRight: Float32Array;
  private readonly out: readonly [Float32Array, Float32Array];
  private readonly master = new Glide(1);
  private readonly returnGain = new Glide(1);
  private reverb: Reverb | null = null;
  private reverbSettings: ReverbBusSettings | null = null;
  /** Frames the bus still rings for after its last send went off (live changes only). */
  private tail = 0;
  private peakValues = new Float32Array(0);
  readonly sampleRate: number;

  constructor(
    input: MixerInput,
    readonly blockSize = 128,
    private readonly metering = false,
  ) {
    this.sampleRate = input.sampleRate;
    const buf = () => new Float32Array(blockSize);
    this.left = buf();
    this.right = buf();
    this.pair = [this.left, this.right];
    this.sendLeft = buf();
    this.sendRight = buf();
    this.wetLeft = buf();
    this.wetRight = buf();
    this.out = [buf(), buf()];
    this.update(input);
    this.reset();
  }

  /** The tracks' ids in the order `process` takes their blocks. */
  get trackIds(): string[] {
    return this.strips.map((s) => s.id);
  }

  /** New settings: strips follow the track list (kept by id), every parameter glides to its value. */
  update(input: MixerInput): void {
    if (input.sampleRate !== this.sampleRate)
      throw new Error('A mixer keeps the sample rate it was made with.');
    const anySolo = input.tracks.some((t) => t.solo && !t.mute);
    const old = new Map(this.strips.map((s) => [s.id, s]));
    this.strips = input.tracks.map((track) => {
      const audible = isAudible(track, anySolo);
      const strip = old.get(track.id);
      if (!strip) return new Strip(track.id, track, audible, this.sampleRate);
      strip.set(track, audible);
      return strip;
    });
    if (this.peakValues.length !== this.strips.length * 2)
      this.peakValues = new Float32Array(this.strips.length * 2);
    this.master.target = dbToGain(input.master.gainDb);
    const bus = input.reverb ?? null;
    this.reverbSettings = bus;
    if (!bus) {
      this.reverb = null;
      this.tail = 0;
      return;
    }
    this.returnGain.target = dbToGain(bus.returnDb);
    // The size sets the delay lines' lengths: a new size is a new reverb (its tail starts over).
    if (this.reverb?.sameSize(bus)) this.reverb.set(bus);
    else this.reverb = new Reverb(this.sampleRate, bus);
  }

  /** Every parameter at its value and all state at rest, as at the start of an export. */
  reset(): void {
    for (const s of this.strips) s.snap();
    this.master.snap();
    this.returnGain.snap();
    this.reverb?.clear();
    this.tail = 0;
    this.peakValues.fill(0);
  }

  /** Per strip (in `trackIds` order), the peak of its left and right output since `clearPeaks`. */
  peaks(): Float32Array {
    return this.peakValues;
  }

  clearPeaks(): void {
    this.peakValues.fill(0);
  }

  /**
   * Mixes one block of `frames` (≤ blockSize): `blocks[i]` is the input of strip i (null: nothing
   * to play in this block). Returns the stereo block, valid until the next call.
   */
  process(blocks: ReadonlyArray<StripBlock | null>, frames: number): readonly [Float32Array, Float32Array] {
    if (frames > this.blockSize) throw new Error(`A block is at most ${this.blockSize} frames.`);
    // Indexed loops and no destructuring of arrays here and below: an iterator is an allocation
    // wherever the compiler has not optimised it away, and this runs per block.
    const outL = this.out[0];
    const outR = this.out[1];
    outL.fill(0, 0, frames);
    outR.fill(0, 0, frames);
    const k = Math.exp(-frames / (GLIDE_SEC * this.sampleRate));
    const bus = this.reverb;
    let sending = false;
    for (let s = 0; s < this.strips.length; s++) {
      const strip = this.strips[s] as Strip;
      strip.step(k);
      if (bus && !strip.silent && (strip.send.from > 0 || strip.send.to > 0)) sending = true;
    }
    if (bus && sending) {
      this.sendLeft.fill(0, 0, frames);
      this.sendRight.fill(0, 0, frames);
    }
    for (let s = 0; s < this.strips.length; s++) {
      const strip = this.strips[s] as Strip;
      const block = blocks[s];
      if (!block || block.n === 0 || strip.silent) continue;
      this.runStrip(strip, block, bus !== null && sending, s);
    }
    this.master.step(k);
    this.returnGain.step(k);
    if (bus) this.runBus(bus, sending, frames);
    const m0 = this.master.from;
    const dm = (this.master.to - m0) / frames;
    if (m0 !== 1 || dm !== 0)
      for (let i = 0; i < frames; i++) {
        const m = m0 + dm * (i + 1);
        outL[i] = (outL[i] as number) * m;
        outR[i] = (outR[i] as number) * m;
      }
    return this.out;
  }

  private runStrip(strip: Strip, block: StripBlock, sending: boolean, index: number): void {
    const { n, start, at } = block;
    const sl = this.left;
    const sr = this.right;
    const inL = block.channels[0] as Float32Array;
    const inR = (block.channels[1] ?? inL) as Float32Array;
    for (let i = 0; i < n; i++) {
      sl[i] = inL[start + i] as number;
      sr[i] = inR[start + i] as number;
    }
    // Fades are the clip's own gain, before the strip's processing.
    applyFades(this.pair, 0, n, block.clipFrame, block.fades);
    for (let band = 0; band < 3; band++) {
      if (!strip.bandOn[band]) continue;
      (strip.bands[0][band] as BiquadState).processBlock(sl, n);
      (strip.bands[1][band] as BiquadState).processBlock(sr, n);
    }
    if (strip.compressorOn) strip.compressor.process(this.pair, 0, n);
    // Gains at the block's ends; within it, linear (exactly constant when nothing moves).
    const { level, gain, panLeft, panRight, send } = strip;
    const l0 = level.from * gain.from * panLeft.from;
    const r0 = level.from * gain.from * panRight.from;
    const dl = (level.to * gain.to * panLeft.to - l0) / n;
    const dr = (level.to * gain.to * panRight.to - r0) / n;
    const busL = this.out[0];
    const busR = this.out[1];
    if (sending && (send.from > 0 || send.to > 0)) {
      const sendL = this.sendLeft;
      const sendR = this.sendRight;
      if (strip.preFader) {
        // Before the fader and the pan: the strip's own two sides.
        const p0 = level.from * send.from;
        const dp = (level.to * send.to - p0) / n;
        for (let i = 0; i < n; i++) {
          const g = p0 + dp * (i + 1);
          sendL[at + i] = (sendL[at + i] as number) + (sl[i] as number) * g;
          sendR[at + i] = (sendR[at + i] as number) + (sr[i] as number) * g;
        }
      } else {
        const pl0 = l0 * send.from;
        const pr0 = r0 * send.from;
        const dpl = (level.to * gain.to * panLeft.to * send.to - pl0) / n;
        const dpr = (level.to * gain.to * panRight.to * send.to - pr0) / n;
        for (let i = 0; i < n; i++) {
          sendL[at + i] = (sendL[at + i] as number) + (sl[i] as number) * (pl0 + dpl * (i + 1));
          sendR[at + i] = (sendR[at + i] as number) + (sr[i] as number) * (pr0 + dpr * (i + 1));
        }
      }
    }
    if (this.metering) {
      let pl = this.peakValues[2 * index] as number;
      let pr = this.peakValues[2 * index + 1] as number;
      for (let i = 0; i < n; i++) {
        const yl = (sl[i] as number) * (l0 + dl * (i + 1));
        const yr = (sr[i] as number) * (r0 + dr * (i + 1));
        busL[at + i] = (busL[at + i] as number) + yl;
        busR[at + i] = (busR[at + i] as number) + yr;
        if (Math.abs(yl) > pl) pl = Math.abs(yl);
        if (Math.abs(yr) > pr) pr = Math.abs(yr);
      }
      this.peakValues[2 * index] = pl;
      this.peakValues[2 * index + 1] = pr;
      return;
    }
    for (let i = 0; i < n; i++) {
      busL[at + i] = (busL[at + i] as number) + (sl[i] as number) * (l0 + dl * (i + 1));
      busR[at + i] = (busR[at + i] as number) + (sr[i] as number) * (r0 + dr * (i + 1));
    }
  }

  /**
   * The reverb runs while any heard strip sends to it (an export with no send never runs it), and
   * after the last send goes off, until its tail has fallen below −90 dB.
   */
  private runBus(bus: Reverb, sending: boolean, frames: number): void {
    const settings = this.reverbSettings as ReverbBusSettings;
    if (sending) {
      this.tail = Math.ceil((1.5 * settings.decaySec + settings.preDelayMs / 1000 + 0.1) * this.sampleRate);
    } else {
      if (this.tail <= 0) return;
      this.sendLeft.fill(0, 0, frames);
      this.sendRight.fill(0, 0, frames);
      this.tail -= frames;
      if (this.tail <= 0) {
        bus.clear();
        return;
      }
    }
    bus.process(this.sendLeft, this.sendRight, this.wetLeft, this.wetRight, frames);
    const r0 = this.returnGain.from;
    const dr = (this.returnGain.to - r0) / frames;
    const outL = this.out[0];
    const outR = this.out[1];
    for (let i = 0; i < frames; i++) {
      const g = r0 + dr * (i + 1);
      outL[i] = (outL[i] as number) + (this.wetLeft[i] as number) * g;
      outR[i] = (outR[i] as number) + (this.wetRight[i] as number) * g;
    }
  }
}

/**
 * The block a clip plays in [position, position + frames) of the song, from its source held whole
 * in memory at the mix rate (the preview's way; the export streams): `block` is filled and
 * returned, or null when the clip is silent there. No allocation: the worklet calls it per block.
 */
export function clipBlock(
  block: StripBlock,
  channels: readonly Float32Array[],
  span: ClipSpan,
  position: number,
  frames: number,
): StripBlock | null {
  const from = Math.max(position, span.offset);
  const to = Math.min(position + frames, span.offset + span.length);
  if (from >= to) return null;
  block.channels = channels;
  block.fades = span.fades;
  block.start = span.trim + (from - span.offset);
  block.n = Math.min(to - from, Math.max(0, (channels[0]?.length ?? 0) - block.start));
  block.at = from - position;
  block.clipFrame = from - span.offset;
  return block.n > 0 ? block : null;
}
