import type { MasterReport } from '../../contracts/audio';
import type { MasterSettings } from '../../contracts/project';
import type { AudioData } from '../audio-data';
import { BiquadState, biquadCoefficients } from '../dsp/biquad';
import { Compressor } from '../dsp/compressor';
import { dbToGain } from '../dsp/laws';
import { measureLoudness } from '../loudness/meter';
import { RenderCancelledError, type RenderOptions } from '../mix/render';
import { oversampledPeaks } from '../loudness/true-peak';
import { limitTruePeak } from './limiter';

export type MasterChoice = Pick<MasterSettings, 'targetLufs' | 'ceilingDbtp' | 'glue' | 'tilt'>;

/** Internal margin under the ceiling: the limiter's gain is smooth, the true peak of its output can creep. */
const CEILING_MARGIN_DB = 0.3;

function applyTilt(audio: AudioData, tilt: MasterChoice['tilt']): AudioData {
  if (tilt === 'neutral') return audio;
  const sign = tilt === 'warmer' ? 1 : -1;
  const low = biquadCoefficients('lowshelf', 250, 1.5 * sign, Math.SQRT1_2, audio.sampleRate);
  const high = biquadCoefficients('highshelf', 6000, -1.5 * sign, Math.SQRT1_2, audio.sampleRate);
  return {
    sampleRate: audio.sampleRate,
    channels: audio.channels.map((ch) => {
      const a = new BiquadState(low);
      const b = new BiquadState(high);
      return ch.map((x) => b.process(a.process(x)));
    }),
  };
}

function applyGlue(audio: AudioData): AudioData {
  // Gentle: 2:1 from 10 dB under the loudest passages, slow enough to keep transients.
  const channels = audio.channels.map((c) => c.slice());
  const peak = channels.reduce((m, ch) => ch.reduce((a, x) => Math.max(a, Math.abs(x)), m), 0);
  const thresholdDb = peak > 0 ? 20 * Math.log10(peak) - 10 : -20;
  new Compressor(
    { thresholdDb, ratio: 2, attackMs: 30, releaseMs: 250, makeupDb: 0 },
    audio.sampleRate,
  ).process(channels, 0, channels[0]?.length ?? 0);
  return { sampleRate: audio.sampleRate, channels };
}

const scale = (audio: AudioData, gain: number): AudioData => ({
  sampleRate: audio.sampleRate,
  channels: audio.channels.map((ch) => ch.map((x) => x * gain)),
});

/**
 * One-click master: optional tilt and glue, gain to the loudness target, lookahead true-peak limiter
 * at the ceiling, then measure again. The limiter takes a little loudness away on dense material, so
 * the gain is corrected until the result lands on the target.
 */
export function masterAudio(
  audio: AudioData,
  settings: MasterChoice,
  opts: RenderOptions = {},
): { audio: AudioData; report: MasterReport } {
  // The limiter needs each sample's oversampled peak only where, raised by the largest gain a pass
  // may try (first guess + 12 dB), it could reach the ceiling: below that floor the interpolation is
  // skipped. The same peaks give the input's true peak.
  const plain = measureLoudness(audio, { truePeak: false });
  const firstGainDb = plain.integratedLufs === null ? 0 : settings.targetLufs - plain.integratedLufs;
  const floor = dbToGain(settings.ceilingDbtp - CEILING_MARGIN_DB - firstGainDb - 12);
  const inputPeaks = audio.channels.map((channel) => oversampledPeaks(channel, audio.sampleRate, floor));
  let inputTruePeak = inputPeaks.reduce((m, peaks) => peaks.reduce((a, x) => (x > a ? x : a), m), 0);
  if (inputTruePeak <= floor) inputTruePeak = 10 ** ((measureLoudness(audio).truePeakDbtp ?? -400) / 20);
  const before = { ...plain, truePeakDbtp: inputTruePeak > 0 ? 20 * Math.log10(inputTruePeak) : null };
  const check = () => {
    if (opts.signal?.aborted) throw new RenderCancelledError();
  };
  let shaped = applyTilt(audio, settings.tilt);
  if (settings.glue) shaped = applyGlue(shaped);
  check();
  opts.onProgress?.(0.2);
  const start =
    shaped === audio ? before.integratedLufs : measureLoudness(shaped, { truePeak: false }).integratedLufs;
  if (start === null) {
    // Silence: nothing to raise; the master is the input, unchanged.
    opts.onProgress?.(1);
    const side = { integratedLufs: null, loudnessRangeLu: 0, truePeakDbtp: null };
    return {
      audio,
      report: {
        targetLufs: settings.targetLufs,
        ceilingDbtp: settings.ceilingDbtp,
        before: side,
        after: side,
        gainAppliedDb: 0,
      },
    };
  }
  // Loudness after the limiter grows less than the gain on dense material: a secant search on the
  // gain (at most six passes) lands within 0.05 LU before the final ceiling check.
  let gainDb = settings.targetLufs - start;
  let result = shaped;
  let after = before;
  let previous: { gain: number; loudness: number } | null = null;
  // Oversampled peaks scale with the gain: computed once, reused by every pass.
  const peaks =
    shaped === audio
      ? inputPeaks
      : shaped.channels.map((channel) => oversampledPeaks(channel, shaped.sampleRate, floor));
  for (let pass = 0; pass < 6; pass++) {
    check();
    result = limitTruePeak(shaped, settings.ceilingDbtp - CEILING_MARGIN_DB, {
      inputGain: dbToGain(gainDb),
      peaks,
    });
    after = measureLoudness(result, { truePeak: false });
    opts.onProgress?.(0.3 + 0.1 * (pass + 1));
    const loudness = after.integratedLufs ?? settings.targetLufs;
    const miss = settings.targetLufs - loudness;
    if (Math.abs(miss) <= 0.05) break;
    const slope =
      previous && gainDb !== previous.gain ? (loudness - previous.loudness) / (gainDb - previous.gain) : 1;
    previous = { gain: gainDb, loudness };
    // A flat slope would ask for absurd gain; never more than 3× the miss in one step.
    gainDb += Math.sign(miss) * Math.min(Math.abs(miss) / Math.max(slope, 0.05), Math.abs(miss) * 3);
  }
  after = measureLoudness(result);
  // Never above the ceiling, whatever the material: a final trim if the limiter's output crept over.
  if ((after.truePeakDbtp ?? Number.NEGATIVE_INFINITY) > settings.ceilingDbtp - 0.05) {
    const trim = settings.ceilingDbtp - 0.05 - (after.truePeakDbtp as number);
    result = scale(result, dbToGain(trim));
    gainDb += trim;
    after = measureLoudness(result);
  }
  opts.onProgress?.(1);
  return {
    audio: result,
    report: {
      targetLufs: settings.targetLufs,
      ceilingDbtp: settings.ceilingDbtp,
      before: {
        integratedLufs: before.integratedLufs,
        loudnessRangeLu: before.loudnessRangeLu,
        truePeakDbtp: before.truePeakDbtp,
      },
      after: {
        integratedLufs: after.integratedLufs,
        loudnessRangeLu: after.loudnessRangeLu,
        truePeakDbtp: after.truePeakDbtp,
      },
      gainAppliedDb: gainDb,
    },
  };
}
