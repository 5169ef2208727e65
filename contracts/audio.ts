import { z } from 'zod';

/** Loudness figures of a piece of audio (ITU-R BS.1770-4 / EBU R128). Silence gives -Infinity, sent as null. */
const lufs = z.number().nullable();

export const LoudnessReport = z.object({
  integratedLufs: lufs,
  loudnessRangeLu: z.number().min(0),
  truePeakDbtp: lufs,
  samplePeakDbfs: lufs,
  momentaryMaxLufs: lufs,
  shortTermMaxLufs: lufs,
  sampleRate: z.number().int().positive(),
  channels: z.number().int().positive(),
  durationSec: z.number().min(0),
});
export type LoudnessReport = z.infer<typeof LoudnessReport>;

const Side = z.object({ integratedLufs: lufs, loudnessRangeLu: z.number().min(0), truePeakDbtp: lufs });

/** What a one-click master reports: before and after, and the gain it applied. */
export const MasterReport = z.object({
  targetLufs: z.number(),
  ceilingDbtp: z.number(),
  before: Side,
  after: Side,
  gainAppliedDb: z.number(),
  /** Gain reduction the limiter applied at the loudest peak (dB). */
  limitingDb: z.number().min(0).optional(),
  /** True when the cap on limiting stopped the master short of its target: after.integratedLufs is what it reached. */
  limitingCapped: z.boolean().optional(),
});
export type MasterReport = z.infer<typeof MasterReport>;
