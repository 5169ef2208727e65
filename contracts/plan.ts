import { z } from 'zod';

export const Plan = z.enum(['free', 'pro', 'studio']);
export type Plan = z.infer<typeof Plan>;

export const Feature = z.enum(['export', 'master', 'project_save']);
export type Feature = z.infer<typeof Feature>;

export const UsageKind = z.enum(['export', 'master']);
export type UsageKind = z.infer<typeof UsageKind>;

/** Where a kind of use is counted: its counter in `Usage`, its allowance in an entitlement. */
export function usageCounterKey(kind: UsageKind): 'exports' | 'masters' {
  return kind === 'export' ? 'exports' : 'masters';
}

export const BillingInterval = z.enum(['month', 'year']);
export type BillingInterval = z.infer<typeof BillingInterval>;

/** Stripe subscription statuses, as the SDK names them. */
export const SubscriptionStatus = z.enum([
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
]);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatus>;

/** Features each plan unlocks; free mixes and listens only. */
export const PLAN_FEATURES: Record<Plan, readonly Feature[]> = {
  free: [],
  pro: ['export', 'master', 'project_save'],
  studio: ['export', 'master', 'project_save'],
};

/**
 * Why the gate refuses a gated action: not signed in; a Free plan without a trial (or a feature no
 * trial covers); a Free plan whose trial is used up; Pro at its monthly limit; offline too long or
 * past the offline allowance; this device refused a place (MAX_DEVICES_PER_USER).
 */
export const RefusalReason = z.enum([
  'signed_out',
  'upgrade_required',
  'trial_exhausted',
  'quota_exceeded',
  'offline_expired',
  'device_limit',
]);
export type RefusalReason = z.infer<typeof RefusalReason>;

/**
 * One kind of use against its limit: `used` counts delivered work only (committed grants and
 * accepted offline reports); `reserved` counts live reservations (grants neither committed nor
 * released, not yet expired), which hold room under the limit without being use. Tokens signed
 * before reservations existed carry no `reserved`: none.
 */
export const UsageCounter = z.object({
  used: z.number().int().min(0),
  reserved: z.number().int().min(0).default(0),
  limit: z.number().int().min(0),
});
export type UsageCounter = z.infer<typeof UsageCounter>;

/**
 * The usage the next grant draws from, as the server counts it: for Pro, this calendar month (UTC);
 * for Free, the account's lifetime trial (FREE_TRIAL_EXPORTS / FREE_TRIAL_MASTERS, limit 0 without
 * one). `period` and `resetAt` always name the calendar month.
 */
export const Usage = z.object({
  /** `YYYY-MM`, UTC. */
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  exports: UsageCounter,
  masters: UsageCounter,
  /** ISO time at which the counters go back to zero (start of next UTC month). */
  resetAt: z.iso.datetime(),
});
export type Usage = z.infer<typeof Usage>;

/**
 * What the musician must do about billing, if anything: a renewal failed and Stripe is retrying
 * (update the card in the portal; Pro lasts until `until`), or a renewal waits for 3-D Secure
 * (confirm it on Stripe's hosted invoice page at `url`).
 */
export const BillingAttention = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('payment_failed'), until: z.iso.datetime().nullable() }),
  z.object({ kind: z.literal('action_required'), url: z.url().nullable() }),
]);
export type BillingAttention = z.infer<typeof BillingAttention>;
