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
});
export type MasterReport = z.infer<typeof MasterReport>;
