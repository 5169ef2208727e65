import type { LoudnessReport } from '../../contracts/audio';
import { type AudioData, frameCount } from '../audio-data';
import { gainToDb } from '../dsp/laws';
import { channelWeights, KWeighting } from './k-weighting';
import { TruePeakDetector } from './true-peak';

const ABSOLUTE_GATE = -70;
const RELATIVE_GATE = -10;
const LRA_RELATIVE_GATE = -20;
/** 100 ms sub-blocks: 400 ms blocks (75 % overlap) are 4 of them, 3 s windows 30. */
const MOMENTARY_SUBBLOCKS = 4;
const SHORT_TERM_SUBBLOCKS = 30;

export const energyToLufs = (energy: number): number =>
  energy > 0 ? -0.691 + 10 * Math.log10(energy) : Number.NEGATIVE_INFINITY;
const lufsToEnergy = (lufs: number): number => 10 ** ((lufs + 0.691) / 10);

/** Gated mean of block energies, per BS.1770-4: absolute gate, then relative gate below the first mean. */
function gatedLoudness(energies: readonly number[]): number {
  const absEnergy = lufsToEnergy(ABSOLUTE_GATE);
  const above = energies.filter((e) => e > absEnergy);
  if (above.length === 0) return Number.NEGATIVE_INFINITY;
  const firstMean = above.reduce((a, b) => a + b, 0) / above.length;
  const relEnergy = lufsToEnergy(energyToLufs(firstMean) + RELATIVE_GATE);
  const gated = above.filter((e) => e > relEnergy);
  return energyToLufs(gated.reduce((a, b) => a + b, 0) / gated.length);
}

/** EBU Tech 3342 loudness range: 3 s windows, −70 absolute and −20 LU relative gates, 10th–95th percentile. */
function loudnessRange(shortTermEnergies: readonly number[]): number {
  const absEnergy = lufsToEnergy(ABSOLUTE_GATE);
  const above = shortTermEnergies.filter((e) => e > absEnergy);
  if (above.length === 0) return 0;
  const mean = above.reduce((a, b) => a + b, 0) / above.length;
  const relEnergy = lufsToEnergy(energyToLufs(mean) + LRA_RELATIVE_GATE);
  const gated = above
    .filter((e) => e > relEnergy)
    .map(energyToLufs)
    .sort((a, b) => a - b);
  if (gated.length === 0) return 0;
  const at = (p: number) =>
    gated[Math.min(gated.length - 1, Math.max(0, Math.round((gated.length - 1) * p)))] as number;
  return Math.max(0, at(0.95) - at(0.1));
}

/**
 * Incremental loudness meter (ITU-R BS.1770-4 / EBU R128): feed blocks of any size, read momentary
 * (400 ms), short-term (3 s), integrated, loudness range and true peak at any time. Memory grows by
 * two numbers per 100 ms of audio.
 */
export class LoudnessMeter {
  private readonly filters: KWeighting[];
  private readonly weights: number[];
  private readonly peaks: TruePeakDetector[];
  private readonly subLength: number;
  private subPos = 0;
  private subEnergy = 0;
  /** Weighted sums of squares of every completed 100 ms sub-block. */
  private readonly subBlocks: number[] = [];
  private readonly blockEnergies: number[] = [];
  private readonly shortTermEnergies: number[] = [];
  private samplePeak = 0;
  private maxMomentary = Number.NEGATIVE_INFINITY;
  private maxShortTerm = Number.NEGATIVE_INFINITY;
  private frames = 0;

  constructor(
    readonly sampleRate: number,
    readonly channelCount: number,
    /** True peak costs more than the rest together; a caller that only needs loudness can skip it. */
    private readonly withTruePeak = true,
  ) {
    this.filters = Array.from({ length: channelCount }, () => new KWeighting(sampleRate));
    this.weights = channelWeights(channelCount);
    this.peaks = Array.from({ length: channelCount }, () => new TruePeakDetector(sampleRate));
    this.subLength = subBlockLength(sampleRate);
  }

  push(block: readonly Float32Array[]): void {
    const length = block[0]?.length ?? 0;
    for (let c = 0; c < this.channelCount; c++) {
      const samples = block[c];
      if (!samples) continue;
      if (this.withTruePeak) (this.peaks[c] as TruePeakDetector).push(samples);
      // Weighted channels have their peak kept by the K-weighting loop; the LFE is not filtered.
      if (this.weights[c] !== 0) continue;
      let peak = this.samplePeak;
      for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i] as number));
      this.samplePeak = peak;
    }
    if (this.channelCount === 2 && block[0] && block[1]) {
      // Both weighted 1 (BS.1770): the two filters run side by side, sub-block by sub-block.
      const [left, right] = this.filters as [KWeighting, KWeighting];
      left.energiesPair(
        right,
        block[0],
        block[1],
        length,
        this.subLength - this.subPos,
        this.subLength,
        this.take,
      );
      this.frames += length;
      return;
    }
    let i = 0;
    while (i < length) {
      const take = Math.min(length - i, this.subLength - this.subPos);
      for (let c = 0; c < this.channelCount; c++) {
        const weight = this.weights[c] as number;
        const samples = block[c];
        if (!samples || weight === 0) continue;
        this.subEnergy += weight * (this.filters[c] as KWeighting).energy(samples, i, i + take);
      }
      i += take;
      this.subPos += take;
      if (this.subPos === this.subLength) this.completeSubBlock();
    }
    this.frames += length;
  }

  /** One stretch of a stereo push, within one sub-block. */
  private readonly take = (energy: number, frames: number): void => {
    this.subEnergy += energy;
    this.subPos += frames;
    if (this.subPos === this.subLength) this.completeSubBlock();
  };

  private completeSubBlock(): void {
    this.subBlocks.push(this.subEnergy);
    this.subEnergy = 0;
    this.subPos = 0;
    const n = this.subBlocks.length;
    if (n >= MOMENTARY_SUBBLOCKS) {
      const e = this.windowEnergy(MOMENTARY_SUBBLOCKS);
      this.blockEnergies.push(e);
      this.maxMomentary = Math.max(this.maxMomentary, energyToLufs(e));
    }
    if (n >= SHORT_TERM_SUBBLOCKS) {
      const e = this.windowEnergy(SHORT_TERM_SUBBLOCKS);
      this.shortTermEnergies.push(e);
      this.maxShortTerm = Math.max(this.maxShortTerm, energyToLufs(e));
    }
  }

  private windowEnergy(subBlocks: number): number {
    const n = this.subBlocks.length;
    if (n < subBlocks) return 0;
    let sum = 0;
    for (let k = n - subBlocks; k < n; k++) sum += this.subBlocks[k] as number;
    return sum / (subBlocks * this.subLength);
  }

  momentary(): number {
    return energyToLufs(this.windowEnergy(MOMENTARY_SUBBLOCKS));
  }
  shortTerm(): number {
    return energyToLufs(this.windowEnergy(SHORT_TERM_SUBBLOCKS));
  }
  integrated(): number {
    return gatedLoudness(this.blockEnergies);
  }
  loudnessRange(): number {
    return loudnessRange(this.shortTermEnergies);
  }
  /** dBTP. */
  truePeak(): number {
    return gainToDb(Math.max(...this.peaks.map((p) => p.value()), this.samplePeakLinear()));
  }
  private samplePeakLinear(): number {
    return Math.max(this.samplePeak, ...this.filters.map((f) => f.peak));
  }
  samplePeakDb(): number {
    return gainToDb(this.samplePeakLinear());
  }
  momentaryMax(): number {
    return this.maxMomentary;
  }
  shortTermMax(): number {
    return this.maxShortTerm;
  }
  durationSec(): number {
    return this.frames / this.sampleRate;
  }
  reset(): void {
    for (const filter of this.filters) filter.reset();
    for (const p of this.peaks) p.reset();
    this.subBlocks.length = 0;
    this.blockEnergies.length = 0;
    this.shortTermEnergies.length = 0;
    this.subPos = 0;
    this.subEnergy = 0;
    this.samplePeak = 0;
    this.maxMomentary = Number.NEGATIVE_INFINITY;
    this.maxShortTerm = Number.NEGATIVE_INFINITY;
    this.frames = 0;
  }
}

export const subBlockLength = (sampleRate: number): number => Math.round(sampleRate / 10);

/** Mean energy of every window of `size` consecutive sub-blocks, as the meter forms them. */
function windowEnergies(subBlocks: ArrayLike<number>, size: number, subLength: number): number[] {
  const out: number[] = [];
  for (let n = size; n <= subBlocks.length; n++) {
    let sum = 0;
    for (let k = n - size; k < n; k++) sum += subBlocks[k] as number;
    out.push(sum / (size * subLength));
  }
  return out;
}

/** Integrated loudness (LUFS, −∞ for silence) and loudness range (LU) from 100 ms sub-block energies. */
export function loudnessOfSubBlocks(
  subBlocks: ArrayLike<number>,
  subLength: number,
): { integrated: number; range: number } {
  return {
    integrated: gatedLoudness(windowEnergies(subBlocks, MOMENTARY_SUBBLOCKS, subLength)),
    range: loudnessRange(windowEnergies(subBlocks, SHORT_TERM_SUBBLOCKS, subLength)),
  };
}

/**
 * K-weighted energy of every `chunk` frames, the channels summed with their BS.1770 weights (a
 * trailing partial chunk is left out): fine-grained enough that loudness under a slowly varying gain
 * can be predicted without filtering again. One pass per channel, which also gives each channel's
 * largest |sample| per chunk (the trailing partial chunk included) when `peaks` is asked for.
 */
export function kWeightedChunkEnergies(
  audio: AudioData,
  chunk: number,
  peaks?: Float32Array[],
): Float64Array {
  const frames = frameCount(audio);
  const chunks = Math.floor(frames / chunk);
  const out = new Float64Array(chunks);
  const weights = channelWeights(audio.channels.length);
  audio.channels.forEach((samples, c) => {
    const weight = weights[c] as number;
    const chunkPeaks = new Float32Array(Math.ceil(frames / chunk));
    const filter = new KWeighting(audio.sampleRate);
    for (let k = 0, at = 0; k < chunks; k++, at += chunk) {
      filter.peak = 0;
      const energy = filter.energy(samples, at, at + chunk);
      if (weight !== 0) out[k] = (out[k] as number) + weight * energy;
      chunkPeaks[k] = filter.peak;
    }
    let tail = 0;
    for (let i = chunks * chunk; i < frames; i++) tail = Math.max(tail, Math.abs(samples[i] as number));
    if (chunks < chunkPeaks.length) chunkPeaks[chunks] = tail;
    peaks?.push(chunkPeaks);
  });
  return out;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Measures a whole piece of audio; silence reads null (−∞). */
export function measureLoudness(
  audio: AudioData,
  opts: { blockSize?: number; truePeak?: boolean } = {},
): LoudnessReport {
  const blockSize = opts.blockSize ?? 4096;
  const meter = new LoudnessMeter(audio.sampleRate, audio.channels.length, opts.truePeak ?? true);
  const frames = frameCount(audio);
  for (let start = 0; start < frames; start += blockSize) {
    meter.push(audio.channels.map((ch) => ch.subarray(start, Math.min(frames, start + blockSize))));
  }
  return loudnessReport(meter);
}

/** The report of everything a meter has been fed. */
export function loudnessReport(meter: LoudnessMeter): LoudnessReport {
  return {
    integratedLufs: finiteOrNull(meter.integrated()),
    loudnessRangeLu: meter.loudnessRange(),
    truePeakDbtp: finiteOrNull(meter.truePeak()),
    samplePeakDbfs: finiteOrNull(meter.samplePeakDb()),
    momentaryMaxLufs: finiteOrNull(meter.momentaryMax()),
    shortTermMaxLufs: finiteOrNull(meter.shortTermMax()),
    sampleRate: meter.sampleRate,
    channels: meter.channelCount,
    durationSec: meter.durationSec(),
  };
}
