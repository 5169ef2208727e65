import { type ErrorBody, type ErrorCode, errorBody } from '../../contracts/errors';
import { type DomainError, PaymentsNotConfigured } from '../domain/errors';

/** The HTTP status of every error code: the one place statuses are chosen. */
const STATUS: Record<ErrorCode, number> = {
  validation_error: 400,
  malformed_json: 400,
  payload_too_large: 413,
  unauthorized: 401,
  invalid_credentials: 401,
  email_taken: 409,
  rate_limited: 429,
  invalid_refresh_token: 401,
  refresh_token_reused: 401,
  not_found: 404,
  invalid_price: 400,
  already_subscribed: 409,
  no_subscription: 409,
  upgrade_required: 402,
  quota_exceeded: 402,
  trial_exhausted: 402,
  offline_allowance_exceeded: 402,
  device_limit: 403,
  invalid_grant: 400,
  // A grant whose reservation is over: committed, released, or expired and taken since.
  grant_committed: 409,
  grant_released: 409,
  grant_expired: 409,
  invalid_signature: 400,
  stripe_unavailable: 502,
  payments_unavailable: 503,
  // The server's own database is down, full or read-only: this server cannot serve, try again.
  database_unavailable: 503,
  // No SMTP_URL: this server cannot send the password reset mail.
  mail_unavailable: 503,
  // The desktop app's own code for "no answer"; the server never sends it.
  server_unreachable: 503,
  internal: 500,
};

export type ErrorReply = { status: number; body: ErrorBody; headers: Record<string, string> };

/** How a domain error goes out: its status, the one error shape, and Retry-After when it has one. */
export function errorReply(err: DomainError): ErrorReply {
  // Same code as Stripe being unreachable, but it is this server that lacks the service: 503, not 502.
  const status = err instanceof PaymentsNotConfigured ? 503 : STATUS[err.code];
  return {
    status,
    body: errorBody(err.code, err.message, err.details),
    headers: err.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(err.retryAfterSeconds) },
  };
}

/** Anything else thrown while answering: logged by the caller, answered without its details. */
export const internalErrorReply = (): ErrorReply => ({
  status: 500,
  body: errorBody('internal', 'Something went wrong on the server.'),
  headers: {},
});
