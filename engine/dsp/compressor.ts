import type { CompressorSettings } from '../../contracts/project';
import { dbToGain } from './laws';

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
    // left to speak of the gain is the makeup: the logarithms are taken only where they matter,
    // as natural log and exp (dB = 20·log10 x = ln x · 20/ln 10), cheaper than log10 and powers.
    const threshold = dbToGain(thresholdDb);
    const attack = this.attack;
    const release = this.release;
    let r = this.reductionDb;
    const left = channels[0];
    const right = channels.length === 2 ? channels[1] : undefined;
    if (!left) return;
    for (let i = start; i < end; i++) {
      let peak: number;
      if (right) {
        // Stereo, the desk's case: the two sides by name, no loop over channels per sample.
        const a = Math.abs(left[i] as number);
        const b = Math.abs(right[i] as number);
        peak = a > b ? a : b;
      } else {
        peak = 0;
        for (const ch of channels) {
          const a = Math.abs(ch[i] as number);
          if (a > peak) peak = a;
        }
      }
      const target =
        peak > threshold && peak > 1e-9 ? (Math.log(peak) * DB_PER_NEPER - thresholdDb) * slope : 0;
      const coeff = target > r ? attack : release;
      r = target + coeff * (r - target);
      const gain = r > 1e-7 ? Math.exp(-r * NEPER_PER_DB) * makeup : makeup;
      if (right) {
        left[i] = (left[i] as number) * gain;
        right[i] = (right[i] as number) * gain;
      } else for (const ch of channels) ch[i] = (ch[i] as number) * gain;
    }
    this.reductionDb = r;
  }
}

const DB_PER_NEPER = 20 / Math.LN10;
const NEPER_PER_DB = Math.LN10 / 20;
