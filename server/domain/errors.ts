import type { ErrorCode } from '../../contracts/errors';

/**
 * A refusal a service or a security check decides: a code from contracts/errors.ts, the message the
 * user reads, and the facts a client needs to act on it. The HTTP layer alone picks its status
 * (server/http/errors.ts).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** When the same request may succeed again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Payments are switched off on this server: no STRIPE_SECRET_KEY. */
export class PaymentsNotConfigured extends DomainError {
  constructor() {
    super('stripe_unavailable', 'Payments are not configured on this server (STRIPE_SECRET_KEY).');
  }
}
