import { z } from 'zod';
import { Feature, RefusalReason } from './plan';

/**
 * Why main refused a gated action (export, master, project save or open), with the facts the
 * renderer's message needs. Main decides every gated action and answers this one shape; the renderer
 * only shows it. Facts that do not apply to the reason are null.
 */
export const Refusal = z.object({
  reason: RefusalReason,
  /** The feature refused; opening a project is part of `project_save`. */
  feature: Feature,
  /**
   * Quota refusals: this month's count of the refused kind, its limit and reset time; a used-up
   * trial: its count and limit (no reset); device_limit: the number of devices allowed.
   */
  used: z.number().int().min(0).nullable(),
  limit: z.number().int().min(0).nullable(),
  resetAt: z.iso.datetime().nullable(),
  /** When the device's offline pass ends or ended (offline refusals). */
  offlineUntil: z.iso.datetime().nullable(),
  /** When the device last heard from the server (offline refusals). */
  offlineSince: z.iso.datetime().nullable(),
});
export type Refusal = z.infer<typeof Refusal>;

/** A refusal with only the facts given; the rest null. */
export function refusal(
  reason: RefusalReason,
  feature: Feature,
  facts: Partial<Omit<Refusal, 'reason' | 'feature'>> = {},
): Refusal {
  return {
    reason,
    feature,
    used: facts.used ?? null,
    limit: facts.limit ?? null,
    resetAt: facts.resetAt ?? null,
    offlineUntil: facts.offlineUntil ?? null,
    offlineSince: facts.offlineSince ?? null,
  };
}
