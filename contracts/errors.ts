import { z } from 'zod';

/** Every error code an HTTP route or a bridge call may answer with. */
export const ErrorCode = z.enum([
  'validation_error',
  'malformed_json',
  'payload_too_large',
  'unauthorized',
  'invalid_credentials',
  'email_taken',
  'rate_limited',
  'invalid_refresh_token',
  'refresh_token_reused',
  'not_found',
  'invalid_price',
  'already_subscribed',
  'no_subscription',
  'upgrade_required',
  'quota_exceeded',
  'trial_exhausted',
  'offline_allowance_exceeded',
  'device_limit',
  'invalid_grant',
  'grant_committed',
  'grant_released',
  'grant_expired',
  'invalid_signature',
  'stripe_unavailable',
  /** Stripe refused to take a payment for a reason the operator must fix (e.g. tax settings). */
  'payments_unavailable',
  'database_unavailable',
  'mail_unavailable',
  'server_unreachable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The one error shape of the HTTP API: `{ "error": { "code", "message", "details" } }`. */
export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string().min(1),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
