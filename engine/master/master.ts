import type { MasterReport } from '../../contracts/audio';
import type { MasterSettings } from '../../contracts/project';
import type { AudioData } from '../audio-data';
import { dbToGain, gainToDb } from '../dsp/laws';
import { type FrameSource, memorySource } from '../io/sources';
import { energyToLufs, loudnessOfSubBlocks, subBlockLength } from '../loudness/meter';
import { RenderCancelledError, type RenderOptions } from '../mix/render';
import { type ChunkSeries, memorySeries, type SeriesStore } from './chunk-series';
import { ChunkLimiterGain, type LimiterTiming, limiterTiming } from './limiter';
import {
  type Analysis,
  analysisPass,
  copyPass,
  envelopePass,
  peakPass,
  type Rendered,
  renderPass,
} from './passes';
import { inlinePeakWork, type PeakWork } from './peak-work';
import { masterShaper, tiltShaper } from './shaping';

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
/**
 * The envelope is made exact down to this far under what the search may need: room for the limiter
 * to aim lower than the ceiling when bright material rings past it, without another pass.
 */
const FLOOR_MARGIN_DB = 1;
/**
 * The search may first go this far above the gain that would hit the target unlimited (and further,
 * after another envelope pass, only if it must): the lower the envelope's floor, the more of the
 * audio is interpolated to find it.
 */
const FIRST_HEADROOM_DB = 3;
const MAX_HEADROOM_DB = 36;

/** The gain search on predicted loudness stops this close to the target (LU)... */
const PREDICTION_TOLERANCE = 0.01;
/** ...and the exact measurement of the result must land this close, or the gain is corrected. */
const TOLERANCE = 0.05;

/**
 * Integrated loudness and range from chunk energies. Under 400 ms there is no gating block: the
 * loudness is then that of the whole (what a momentary meter would read of it), so a short clip is
 * still brought to the target and limited rather than passed through untouched.
 */
function loudnessOfChunks(
  energies: ChunkSeries,
  chunk: number,
  subLength: number,
  scale: (() => number) | null = null,
): { integrated: number; range: number } {
  const per = subLength / chunk;
  // One number per 100 ms (a 30-minute song: 140 kB), as any loudness meter keeps.
  const subs = new Float64Array(Math.floor(energies.length / per));
  const whole = subs.length * per;
  const energy = energies.read();
  let total = 0;
  for (let k = 0; k < energies.length; k++) {
    // scale() is asked once per chunk, in order: it is a running limiter.
    const e = energy() * (scale === null ? 1 : scale());
    total += e;
    if (k < whole) subs[Math.floor(k / per)] += e;
  }
  if (subs.length >= 4) return loudnessOfSubBlocks(subs, subLength);
  const integrated =
    energies.length > 0 ? energyToLufs(total / (energies.length * chunk)) : Number.NEGATIVE_INFINITY;
  return { integrated: integrated > -70 ? integrated : Number.NEGATIVE_INFINITY, range: 0 };
}

/**
 * Integrated loudness of the limiter's output at `gain`, predicted without rendering it: the
 * limiter's gain (the very recursion the render runs) moves slowly, so K-weighting the limited
 * signal is, chunk by chunk, K-weighting the input and scaling its energy by the mean square of the
 * gain over the chunk.
 */
function predictLoudness(
  analysis: Analysis,
  limitCeiling: number,
  gain: number,
  timing: LimiterTiming,
): number {
  const { chunk, energies, subLength } = analysis;
  const envelope = analysis.envelope.read();
  const limiter = new ChunkLimiterGain(limitCeiling / gain, timing);
  const scale = (gain * gain) / chunk;
  return loudnessOfChunks(energies, chunk, subLength, () => limiter.run(envelope(), chunk, null, 0) * scale)
    .integrated;
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

export type StreamMasterOptions = RenderOptions & {
  /**
   * Called before the render is written again from its first frame (when the first render missed
   * the target or the ceiling and another is needed). Without it, each render is measured without
   * being written, and the one that stands is rendered once more to be written.
   */
  rewind?: () => void;
  /** Where the numbers per chunk are kept (default: memory; the command line: a file). */
  store?: SeriesStore;
  /** Where the oversampled peaks are computed (default: in line; the command line: a second thread). */
  peaks?: PeakWork;
};

/**
 * One-click master in streaming passes over the input (each pass opens it afresh, reads it a block
 * at a time, and keeps no audio):
 *
 * 1. (glue only) the tilted audio's peak, for the glue's threshold;
 * 2. analysis: the input's loudness and true peak, and of the shaped audio its K-weighted energy and
 *    its limiter envelope (the largest oversampled peak within the lookahead) per chunk of ~64 frames;
 * 3. on those numbers alone, the search for the gain whose limited result lands on the target (the
 *    limiter's own gain recursion, run on the envelope without the audio);
 * 4. render: shaped, gain, limiter, written a block at a time and measured as it goes; should the
 *    measurement miss the target (by more than 0.05 LU) or the ceiling, the gain is corrected by the
 *    prediction's error and the render done again.
 *
 * Memory: a block of audio, and two numbers (8 bytes) per chunk, about 1/64 of the audio as float,
 * in `opts.store` (memory, or a file when the caller wants memory that does not grow with length).
 */
export function streamMaster(
  open: () => FrameSource,
  settings: MasterChoice,
  write: (block: Float32Array[], count: number) => void,
  opts: StreamMasterOptions = {},
): MasterReport {
  const check = () => {
    if (opts.signal?.aborted) throw new RenderCancelledError();
  };
  check();
  const first = open();
  const { sampleRate, channelCount } = first;
  const timing = limiterTiming(sampleRate);
  const peaks = opts.peaks ?? inlinePeakWork;
  const maxLimitingDb = settings.maxLimitingDb ?? DEFAULT_MAX_LIMITING_DB;
  const gluePeak = settings.glue
    ? peakPass(() => first, tiltShaper(settings.tilt, sampleRate, channelCount), check)
    : 0;
  const reopen = settings.glue
    ? open
    : (() => {
        // The first pass reads the source opened to learn its shape.
        let opened: FrameSource | null = first;
        return () => {
          const source = opened ?? open();
          opened = null;
          return source;
        };
      })();
  const shaper = () => masterShaper(settings, sampleRate, channelCount, gluePeak);
  // Exact as deep as the cap on limiting lets the gain search go: no envelope pass is then needed.
  const analysis = analysisPass(
    reopen,
    shaper(),
    timing,
    subBlockLength,
    check,
    maxLimitingDb + FLOOR_MARGIN_DB + CEILING_MARGIN_DB,
    opts.store ?? memorySeries,
    peaks,
  );
  opts.onProgress?.(0.4);
  const input = loudnessOfChunks(analysis.inputEnergies, analysis.chunk, analysis.subLength);
  const shaped =
    analysis.energies === analysis.inputEnergies
      ? input
      : loudnessOfChunks(analysis.energies, analysis.chunk, analysis.subLength);
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  const before = {
    integratedLufs: finite(input.integrated),
    loudnessRangeLu: input.range,
    truePeakDbtp: finite(gainToDb(analysis.inputTruePeak)),
  };
  if (!Number.isFinite(shaped.integrated)) {
    // Silence: nothing to raise; the master is the input, unchanged.
    copyPass(open, write, check);
    opts.onProgress?.(1);
    return {
      targetLufs: settings.targetLufs,
      ceilingDbtp: settings.ceilingDbtp,
      before: { ...before, loudnessRangeLu: 0, truePeakDbtp: null },
      after: { integratedLufs: null, loudnessRangeLu: 0, truePeakDbtp: null },
      gainAppliedDb: 0,
      limitingDb: 0,
      limitingCapped: false,
    };
  }
  const target = settings.targetLufs;
  const ceilingDb = settings.ceilingDbtp - CEILING_MARGIN_DB;
  const ceiling = dbToGain(ceilingDb);
  const unlimitedDb = target - shaped.integrated;
  const shapedPeakDb = gainToDb(analysis.truePeak);
  // Gain reduction at the loudest peak is the gain over what brings that peak to the ceiling.
  const cappedDb = ceilingDb - shapedPeakDb + maxLimitingDb;
  // The envelope is exact only above its floor: no threshold (ceiling over gain) may go under it.
  const maxDbFor = (aim: number) => Math.min(cappedDb, gainToDb(aim / analysis.floor));

  let limitCeiling = ceiling;
  // First on the analysis' envelope (exact above the true peak: it knows where nothing is limited);
  // then, if the target needs limiting, with the envelope made exact down to what the search may
  // try, widened only if it must go further.
  let headroomDb = Math.min(
    MAX_HEADROOM_DB,
    Math.max(FIRST_HEADROOM_DB, shapedPeakDb + unlimitedDb - ceilingDb + FIRST_HEADROOM_DB),
  );
  let found: { gainDb: number; loudness: number; slope: number };
  for (;;) {
    const maxDb = maxDbFor(limitCeiling);
    found = searchGain(
      (g) => predictLoudness(analysis, limitCeiling, dbToGain(g), timing),
      target,
      unlimitedDb,
      maxDb,
    );
    const pinned = found.gainDb >= maxDb - 1e-9;
    if (!pinned || maxDb >= cappedDb || found.slope < 0.05 || headroomDb > MAX_HEADROOM_DB) break;
    const wantDb = Math.max(maxDb + FIRST_HEADROOM_DB, Math.min(cappedDb, unlimitedDb + headroomDb));
    envelopePass(
      open,
      shaper(),
      analysis,
      (limitCeiling * dbToGain(-FLOOR_MARGIN_DB)) / dbToGain(Math.min(cappedDb, wantDb)),
      timing,
      check,
      peaks,
    );
    headroomDb *= 2;
  }
  opts.onProgress?.(0.5);

  const rewind = opts.rewind;
  let written = false;
  const render = (gainDb: number, trim: number): Rendered => {
    check();
    if (rewind && written) rewind();
    written = !!rewind;
    return renderPass(
      open,
      shaper(),
      analysis,
      dbToGain(gainDb),
      limitCeiling,
      trim,
      timing,
      rewind ? write : null,
      check,
      peaks,
    );
  };

  let gainDb = found.gainDb;
  let trim = 1;
  let after: Rendered = { integrated: found.loudness, range: 0, truePeak: Number.NEGATIVE_INFINITY };
  for (let attempt = 0; attempt < 4; attempt++) {
    after = render(gainDb, 1);
    opts.onProgress?.(0.6 + 0.08 * attempt);
    const over = after.truePeak - settings.ceilingDbtp;
    if (over > 0) {
      // Hard-clipped material rings near Nyquist more than the limiter's interpolator sees: aim
      // lower by what it missed.
      limitCeiling *= dbToGain(-(over + CEILING_MARGIN_DB));
    } else if (Math.abs(target - after.integrated) <= TOLERANCE) break;
    const bias = after.integrated - predictLoudness(analysis, limitCeiling, dbToGain(gainDb), timing);
    const aim = limitCeiling;
    found = searchGain(
      (g) => predictLoudness(analysis, aim, dbToGain(g), timing) + bias,
      target,
      gainDb + (target - after.integrated),
      maxDbFor(aim),
    );
    // Pinned at the most the cap allows (the target is out of reach): the render stands.
    if (found.gainDb === gainDb && over <= 0) break;
    gainDb = found.gainDb;
  }
  // Never above the ceiling, whatever the material: a final trim if the limiter's output crept over.
  if (after.truePeak > settings.ceilingDbtp) {
    trim = dbToGain(ceilingDb - after.truePeak);
    gainDb += ceilingDb - after.truePeak;
    after = render(gainDb - gainToDb(trim), trim);
  }
  if (!rewind) {
    // Measured, not written: written now, exactly as measured.
    renderPass(
      open,
      shaper(),
      analysis,
      dbToGain(gainDb - gainToDb(trim)),
      limitCeiling,
      trim,
      timing,
      write,
      check,
      peaks,
    );
  }
  opts.onProgress?.(1);
  return {
    targetLufs: target,
    ceilingDbtp: settings.ceilingDbtp,
    before,
    after: {
      integratedLufs: after.integrated,
      loudnessRangeLu: after.range,
      truePeakDbtp: finite(after.truePeak),
    },
    gainAppliedDb: gainDb,
    limitingDb: Math.max(0, gainDb + shapedPeakDb - ceilingDb),
    // Stopped by the cap on limiting, short of the target.
    limitingCapped: gainDb >= cappedDb - 1e-9 && after.integrated < target - TOLERANCE,
  };
}

/**
 * One-click master of audio in memory (the app's Worker): the streaming master reading the buffer,
 * so both give the same samples.
 */
export function masterAudio(
  audio: AudioData,
  settings: MasterChoice,
  opts: RenderOptions & {
    /** Where the master goes, one array per channel of the input's length (e.g. shared memory). */
    into?: Float32Array[];
  } = {},
): { audio: AudioData; report: MasterReport } {
  const frames = audio.channels[0]?.length ?? 0;
  const channels = opts.into ?? audio.channels.map(() => new Float32Array(frames));
  if (channels.length !== audio.channels.length || channels.some((c) => c.length !== frames))
    throw new RangeError('The master goes into one array per channel, of the input’s length.');
  let at = 0;
  const report = streamMaster(
    () => memorySource(audio),
    settings,
    (block, count) => {
      channels.forEach((ch, c) => {
        ch.set((block[c] as Float32Array).subarray(0, count), at);
      });
      at += count;
    },
    {
      ...opts,
      rewind: () => {
        at = 0;
      },
    },
  );
  return { audio: { sampleRate: audio.sampleRate, channels }, report };
}
