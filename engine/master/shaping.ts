import { BiquadState, biquadCoefficients } from '../dsp/biquad';
import { Compressor } from '../dsp/compressor';
import { gainToDb } from '../dsp/laws';
import type { MasterSettings } from '../../contracts/project';

/** Shapes the next `n` frames of every channel in place, its state carried from block to block. */
export type Shaper = (block: Float32Array[], n: number) => void;

/** The tilt: a gentle see-saw of a low and a high shelf (1.5 dB each), or nothing when neutral. */
export function tiltShaper(
  tilt: MasterSettings['tilt'],
  sampleRate: number,
  channelCount: number,
): Shaper | null {
  if (tilt === 'neutral') return null;
  const sign = tilt === 'warmer' ? 1 : -1;
  const low = biquadCoefficients('lowshelf', 250, 1.5 * sign, Math.SQRT1_2, sampleRate);
  const high = biquadCoefficients('highshelf', 6000, -1.5 * sign, Math.SQRT1_2, sampleRate);
  const stages = Array.from({ length: channelCount }, () => [new BiquadState(low), new BiquadState(high)]);
  return (block, n) => {
    block.forEach((ch, c) => {
      for (const stage of stages[c] as BiquadState[]) stage.processBlock(ch, n);
    });
  };
}

/**
 * Tilt, then glue: gentle 2:1 from 10 dB under the loudest sample of the tilted audio, slow enough
 * to keep transients. The glue's threshold needs that peak, so a caller with glue reads the audio
 * once more, tilted, to find it (`tiltedPeak`).
 */
export function masterShaper(
  settings: Pick<MasterSettings, 'tilt' | 'glue'>,
  sampleRate: number,
  channelCount: number,
  tiltedPeak: number,
): Shaper | null {
  const tilt = tiltShaper(settings.tilt, sampleRate, channelCount);
  if (!settings.glue) return tilt;
  const thresholdDb = tiltedPeak > 0 ? gainToDb(tiltedPeak) - 10 : -20;
  const glue = new Compressor(
    { thresholdDb, ratio: 2, attackMs: 30, releaseMs: 250, makeupDb: 0 },
    sampleRate,
  );
  return (block, n) => {
    tilt?.(block, n);
    glue.process(block, 0, n);
  };
}
