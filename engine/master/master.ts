import type { MasterReport } from '../../contracts/audio';
import type { MasterSettings } from '../../contracts/project';
import type { AudioData } from '../audio-data';
import { BiquadState, biquadCoefficients } from '../dsp/biquad';
import { Compressor } from '../dsp/compressor';
import { dbToGain, gainToDb } from '../dsp/laws';
import {
  energyToLufs,
  kWeightedChunkEnergies,
  loudnessOfSubBlocks,
  LoudnessMeter,
  measureLoudness,
  subBlockLength,
} from '../loudness/meter';
import { truePeakOf } from '../loudness/true-peak';
import { RenderCancelledError, type RenderOptions } from '../mix/render';
import { applyLimiter, LimiterGain, type LimiterTiming, limiterTiming, lookaheadEnvelope } from './limiter';

export type MasterChoice = Pick<MasterSettings, 'targetLufs' | 'ceilingDbtp' | 'glue' | 'tilt'> & {
  /** The most gain reduction the limiter may apply (dB) before the master settles for less loudness. */
  maxLimitingDb?: number;
};

/**
 * Default cap on limiting: beyond about 9 dB of peak reduction a limiter audibly flattens
 * transients, and a target that needs more is better missed (and said so) than met.
 */
export const DEFAULT_MAX_LIMITING_DB = 9;

/**
 * The limiter aims this far under the ceiling: its gain is smooth, so the interpolated peaks of its
 * output can exceed what it computed by a few thousandths of a dB, and a 16× reference reads bright
 * material (energy near Nyquist) up to a few hundredths higher than the meter; a final trim
 * catches what still passes.
 */
const CEILING_MARGIN_DB = 0.05;

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
  const thresholdDb = peak > 0 ? gainToDb(peak) - 10 : -20;
  new Compressor(
    { thresholdDb, ratio: 2, attackMs: 30, releaseMs: 250, makeupDb: 0 },
    audio.sampleRate,
  ).process(channels, 0, channels[0]?.length ?? 0);
  return { sampleRate: audio.sampleRate, channels };
}

/** The gain search on predicted loudness stops this close to the target (LU)... */
const PREDICTION_TOLERANCE = 0.01;
/** ...and the exact measurement of the result must land this close, or the gain is corrected. */
const TOLERANCE = 0.05;
/**
 * Exact oversampled peaks are needed only where, raised by the largest gain the search may try, they
 * could reach the ceiling. The search starts allowed this much above the gain that would hit the
 * target unlimited, and is allowed further (with the peaks recomputed) only if it must go there.
 */
const FIRST_HEADROOM_DB = 3;
const MAX_HEADROOM_DB = 36;
/** The render's peaks are kept per this many frames, so its true peak is found reading little of it. */
const PEAK_CHUNK = 64;

/** Largest divisor of the 100 ms sub-block up to 64 frames: chunks of energy that add up to sub-blocks exactly. */
function chunkLength(subLength: number): number {
  for (let c = Math.min(64, subLength); c > 1; c--) if (subLength % c === 0) return c;
  return 1;
}

type Analysis = {
  subLength: number;
  chunk: number;
  /** K-weighted energy per chunk at unity gain. */
  energies: Float64Array;
  /** Each channel's largest |sample| per chunk. */
  peaks: Float32Array[];
  integrated: number;
  range: number;
};

function analyse(audio: AudioData): Analysis {
  const subLength = subBlockLength(audio.sampleRate);
  const chunk = chunkLength(subLength);
  const peaks: Float32Array[] = [];
  const energies = kWeightedChunkEnergies(audio, chunk, peaks);
  return { subLength, chunk, energies, peaks, ...loudnessOfChunks(energies, chunk, subLength) };
}

/**
 * Integrated loudness and range from chunk energies. Under 400 ms there is no gating block: the
 * loudness is then that of the whole (what a momentary meter would read of it), so a short clip is
 * still brought to the target and limited rather than passed through untouched.
 */
function loudnessOfChunks(
  energies: Float64Array,
  chunk: number,
  subLength: number,
  scale: (k: number) => number = () => 1,
): { integrated: number; range: number } {
  const per = subLength / chunk;
  const subs = new Float64Array(Math.floor(energies.length / per));
  let total = 0;
  for (let k = 0; k < energies.length; k++) {
    // scale(k) is asked once per chunk, in order: it may be a running limiter.
    const e = (energies[k] as number) * scale(k);
    total += e;
    if (k < subs.length * per) subs[Math.floor(k / per)] += e;
  }
  if (subs.length >= 4) return loudnessOfSubBlocks(subs, subLength);
  const integrated =
    energies.length > 0 ? energyToLufs(total / (energies.length * chunk)) : Number.NEGATIVE_INFINITY;
  return { integrated: integrated > -70 ? integrated : Number.NEGATIVE_INFINITY, range: 0 };
}

/**
 * Integrated loudness of the limiter's output at `gain`, predicted without rendering it: the
 * limiter's gain moves slowly, so K-weighting the limited signal is, chunk by chunk, K-weighting the
 * input and scaling its energy by the mean square of the gain over the chunk.
 */
function predictLoudness(
  analysis: Analysis,
  envelope: Float32Array,
  ceiling: number,
  gain: number,
  timing: LimiterTiming,
): number {
  const { chunk, energies, subLength } = analysis;
  const limiter = new LimiterGain(envelope, ceiling / gain, timing);
  const scale = (gain * gain) / chunk;
  return loudnessOfChunks(energies, chunk, subLength, () => limiter.next(null, chunk) * scale).integrated;
}

/**
 * Secant search for the gain (dB) whose loudness is `target`. Loudness after the limiter grows less
 * than the gain on dense material, never more; a flat slope would ask for absurd gain, so no step is
 * more than 3× the miss. Gains above `maxDb` are not tried. Also returns the last slope seen (LU per
 * dB): near 0, the limiter is saturated and more gain buys no loudness.
 */
function searchGain(
  loudnessAt: (gainDb: number) => number,
  target: number,
  startDb: number,
  maxDb: number,
): { gainDb: number; loudness: number; slope: number } {
  let gainDb = Math.min(startDb, maxDb);
  let loudness = loudnessAt(gainDb);
  let previous: { gainDb: number; loudness: number } | null = null;
  let slope = 1;
  for (let step = 0; step < 12; step++) {
    const miss = target - loudness;
    if (Math.abs(miss) <= PREDICTION_TOLERANCE) break;
    slope =
      previous && gainDb !== previous.gainDb
        ? (loudness - previous.loudness) / (gainDb - previous.gainDb)
        : 1;
    previous = { gainDb, loudness };
    const next = Math.min(
      maxDb,
      gainDb + Math.sign(miss) * Math.min(Math.abs(miss) / Math.max(slope, 0.05), Math.abs(miss) * 3),
    );
    if (next === gainDb) break;
    gainDb = next;
    loudness = loudnessAt(gainDb);
  }
  if (previous && gainDb !== previous.gainDb)
    slope = (loudness - previous.loudness) / (gainDb - previous.gainDb);
  return { gainDb, loudness, slope };
}

/**
 * One-click master: optional tilt and glue, gain to the loudness target, lookahead true-peak limiter
 * at the ceiling, then measure again. The limiter takes a little loudness away on dense material:
 * the gain that lands on the target is searched on predicted loudness (cheap), then the result is
 * rendered and measured exactly, and the gain corrected by the prediction's error if it missed.
 */
export function masterAudio(
  audio: AudioData,
  settings: MasterChoice,
  opts: RenderOptions = {},
): { audio: AudioData; report: MasterReport } {
  const check = () => {
    if (opts.signal?.aborted) throw new RenderCancelledError();
  };
  check();
  const input = analyse(audio);
  let shaped = applyTilt(audio, settings.tilt);
  if (settings.glue) shaped = applyGlue(shaped);
  check();
  opts.onProgress?.(0.2);
  const analysis = shaped === audio ? input : analyse(shaped);
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  if (!Number.isFinite(analysis.integrated)) {
    // Silence: nothing to raise; the master is the input, unchanged.
    opts.onProgress?.(1);
    const side = { integratedLufs: null, loudnessRangeLu: 0, truePeakDbtp: null };
    return {
      audio,
      report: {
        targetLufs: settings.targetLufs,
        ceilingDbtp: settings.ceilingDbtp,
        before: { ...side, integratedLufs: finite(input.integrated) },
        after: side,
        gainAppliedDb: 0,
        limitingDb: 0,
        limitingCapped: false,
      },
    };
  }
  const target = settings.targetLufs;
  const ceilingDb = settings.ceilingDbtp - CEILING_MARGIN_DB;
  const ceiling = dbToGain(ceilingDb);
  const timing = limiterTiming(shaped.sampleRate);
  const unlimitedDb = target - analysis.integrated;
  // Gain reduction at the loudest peak is the gain over what brings that peak to the ceiling.
  const shapedPeakDb = gainToDb(
    truePeakOf(shaped.channels, shaped.sampleRate, { length: analysis.chunk, peaks: analysis.peaks }),
  );
  const maxLimitingDb = settings.maxLimitingDb ?? DEFAULT_MAX_LIMITING_DB;
  const cappedDb = ceilingDb - shapedPeakDb + maxLimitingDb;

  // The envelope of oversampled peaks does not depend on the gain: computed once (again only if the
  // search needs more headroom), it serves every prediction and the render.
  // Room enough at once for the limiting the loudest peak will take at the unlimited gain: each
  // widening recomputes the envelope over more of the audio.
  let headroomDb = Math.min(
    MAX_HEADROOM_DB,
    Math.max(FIRST_HEADROOM_DB, shapedPeakDb + unlimitedDb - ceilingDb + FIRST_HEADROOM_DB),
  );
  let envelope: Float32Array;
  let found: { gainDb: number; loudness: number; slope: number };
  let maxDb: number;
  for (;;) {
    check();
    maxDb = Math.min(unlimitedDb + headroomDb, cappedDb);
    envelope = lookaheadEnvelope(shaped, timing.lookahead, ceiling / dbToGain(maxDb), {
      length: analysis.chunk,
      peaks: analysis.peaks,
    });
    const env = envelope;
    found = searchGain(
      (gainDb) => predictLoudness(analysis, env, ceiling, dbToGain(gainDb), timing),
      target,
      unlimitedDb,
      maxDb,
    );
    // More room only helps if more gain still buys loudness; a saturated limiter is as loud as it gets.
    if (found.gainDb < maxDb || maxDb === cappedDb || headroomDb >= MAX_HEADROOM_DB || found.slope < 0.05)
      break;
    headroomDb = Math.min(MAX_HEADROOM_DB, headroomDb * 2);
  }
  opts.onProgress?.(0.5);

  const inputPeak =
    shaped === audio
      ? dbToGain(shapedPeakDb)
      : truePeakOf(audio.channels, audio.sampleRate, { length: input.chunk, peaks: input.peaks });

  // Render and measure exactly; if the prediction was off, search again with its error taken out.
  const result: AudioData = {
    sampleRate: shaped.sampleRate,
    channels: shaped.channels.map((ch) => new Float32Array(ch.length)),
  };
  let gainDb = found.gainDb;
  let after = { integrated: found.loudness, range: 0 };
  let truePeakDb = Number.NEGATIVE_INFINITY;
  // What the limiter aims at: lowered if its interpolator reads the material lower than the meter.
  let limitCeiling = ceiling;
  for (let attempt = 0; attempt < 4; attempt++) {
    check();
    // Loudness and range measured as it is written, each block while it is still in cache.
    const meter = new LoudnessMeter(result.sampleRate, result.channels.length, false);
    const chunkPeaks = {
      length: PEAK_CHUNK,
      peaks: result.channels.map((ch) => new Float32Array(Math.ceil(ch.length / PEAK_CHUNK))),
    };
    applyLimiter(shaped, envelope, limitCeiling, dbToGain(gainDb), timing, result.channels, {
      meter,
      chunkPeaks,
    });
    // Under 400 ms the meter has no block to gate: the whole is measured as the search measured it.
    const integrated = meter.integrated();
    after = {
      integrated: Number.isFinite(integrated) ? integrated : analyse(result).integrated,
      range: meter.loudnessRange(),
    };
    // Its true peak from the loudest chunks down: most of the render is never read again.
    truePeakDb = gainToDb(truePeakOf(result.channels, result.sampleRate, chunkPeaks));
    opts.onProgress?.(0.7 + 0.05 * attempt);
    const over = truePeakDb - settings.ceilingDbtp;
    if (over > 0) {
      // Hard-clipped material rings near Nyquist more than the limiter's interpolator sees: aim
      // lower by what it missed, with the envelope exact down to the new floor.
      limitCeiling *= dbToGain(-(over + CEILING_MARGIN_DB));
      envelope = lookaheadEnvelope(shaped, timing.lookahead, limitCeiling / dbToGain(maxDb), {
        length: analysis.chunk,
        peaks: analysis.peaks,
      });
    } else if (Math.abs(target - after.integrated) <= TOLERANCE) break;
    const bias =
      after.integrated - predictLoudness(analysis, envelope, limitCeiling, dbToGain(gainDb), timing);
    const env = envelope;
    const aim = limitCeiling;
    found = searchGain(
      (g) => predictLoudness(analysis, env, aim, dbToGain(g), timing) + bias,
      target,
      gainDb + (target - after.integrated),
      // The envelope is exact only up to this gain.
      maxDb,
    );
    found.loudness -= bias;
    // Pinned at the most the envelope allows (the target is out of reach): the render stands.
    if (found.gainDb === gainDb && over <= 0) break;
    gainDb = found.gainDb;
  }
  // Never above the ceiling, whatever the material: a final trim if the limiter's output crept over.
  if (truePeakDb > settings.ceilingDbtp) {
    const trim = ceilingDb - truePeakDb;
    const factor = dbToGain(trim);
    for (const ch of result.channels) for (let i = 0; i < ch.length; i++) ch[i] = (ch[i] as number) * factor;
    gainDb += trim;
    const measured = measureLoudness(result);
    after = {
      integrated: measured.integratedLufs ?? analyse(result).integrated,
      range: measured.loudnessRangeLu,
    };
    truePeakDb = measured.truePeakDbtp ?? Number.NEGATIVE_INFINITY;
  }
  opts.onProgress?.(1);
  return {
    audio: result,
    report: {
      targetLufs: target,
      ceilingDbtp: settings.ceilingDbtp,
      before: {
        integratedLufs: finite(input.integrated),
        loudnessRangeLu: input.range,
        truePeakDbtp: finite(gainToDb(inputPeak)),
      },
      after: {
        integratedLufs: after.integrated,
        loudnessRangeLu: after.range,
        truePeakDbtp: finite(truePeakDb),
      },
      gainAppliedDb: gainDb,
      limitingDb: Math.max(0, gainDb + shapedPeakDb - ceilingDb),
      // Stopped by the cap on limiting, short of the target.
      limitingCapped: gainDb >= cappedDb - 1e-9 && after.integrated < target - TOLERANCE,
    },
  };
}
