import { describe, expect, it } from 'vitest';
import { DomainError, PaymentsNotConfigured } from '../domain/errors';
import { errorReply } from './errors';

describe('errorReply: a domain refusal as it goes out over HTTP', () => {
  it.each([
    ['unauthorized', 401],
    ['validation_error', 400],
    ['email_taken', 409],
    ['quota_exceeded', 402],
    ['upgrade_required', 402],
    ['trial_exhausted', 402],
    ['device_limit', 403],
    ['invalid_grant', 400],
    ['grant_committed', 409],
    ['grant_released', 409],
    ['grant_expired', 409],
    ['not_found', 404],
    ['stripe_unavailable', 502],
  ] as const)('%s is %i', (code, status) => {
    expect(errorReply(new DomainError(code, 'why')).status).toBe(status);
  });

  it('answers 503 when the server has no payments configured, with the same code as Stripe down', () => {
    const reply = errorReply(new PaymentsNotConfigured());
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe('stripe_unavailable');
  });

  it('sends the details and a Retry-After only when the refusal has them', () => {
    const later = errorReply(new DomainError('rate_limited', 'Slow down.', { retryAfterSeconds: 90 }, 90));
    expect(later).toEqual({
      status: 429,
      body: { error: { code: 'rate_limited', message: 'Slow down.', details: { retryAfterSeconds: 90 } } },
      headers: { 'Retry-After': '90' },
    });
    expect(errorReply(new DomainError('invalid_credentials', 'Wrong.')).headers).toEqual({});
  });
});
