import type { CompressorSettings } from '../../contracts/project';
import { dbToGain, gainToDb } from './laws';

/**
 * Feed-forward compressor, stereo-linked on the louder channel, hard knee, attack and release
 * smoothing of the gain reduction in dB. State carries across blocks.
 */
export class Compressor {
  private reductionDb = 0;
  private attack = 0;
  private release = 0;
  private settings: Omit<CompressorSettings, 'enabled'>;
  constructor(
    settings: Omit<CompressorSettings, 'enabled'>,
    private readonly sampleRate: number,
  ) {
    this.settings = settings;
    this.set(settings);
  }
  /** New settings, live: the gain reduction in progress carries on from where it is. */
  set(settings: Omit<CompressorSettings, 'enabled'>): void {
    this.settings = settings;
    this.attack = Math.exp(-1 / ((settings.attackMs / 1000) * this.sampleRate));
    this.release = Math.exp(-1 / ((settings.releaseMs / 1000) * this.sampleRate));
  }
  reset(): void {
    this.reductionDb = 0;
  }
  /** Processes the channels in place over [start, end). */
  process(channels: Float32Array[], start: number, end: number): void {
    const { thresholdDb, ratio, makeupDb } = this.settings;
    const slope = 1 - 1 / ratio;
    const makeup = dbToGain(makeupDb);
    // Under the threshold the level in dB is not needed (the target is 0), and with no reduction
    // left to speak of the gain is the makeup: the logarithms are taken only where they matter.
    const threshold = dbToGain(thresholdDb);
    let r = this.reductionDb;
    for (let i = start; i < end; i++) {
      let peak = 0;
      for (const ch of channels) {
        const a = Math.abs(ch[i] as number);
        if (a > peak) peak = a;
      }
      const target = peak > threshold && peak > 1e-9 ? (gainToDb(peak) - thresholdDb) * slope : 0;
      const coeff = target > r ? this.attack : this.release;
      r = target + coeff * (r - target);
      const gain = r > 1e-7 ? dbToGain(-r) * makeup : makeup;
      for (const ch of channels) ch[i] = (ch[i] as number) * gain;
    }
    this.reductionDb = r;
  }
}
