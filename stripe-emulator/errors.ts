/** An error answered in Stripe's shape: `{error: {type, code, message, param}}` with Stripe's status. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: 'invalid_request_error' | 'card_error' | 'api_error' | 'idempotency_error',
    readonly code: string | undefined,
    message: string,
    readonly param?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): { error: Record<string, unknown> } {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.code ? { code: this.code } : {}),
        ...(this.param ? { param: this.param } : {}),
        ...this.extra,
      },
    };
  }
}

export const missing = (kind: string, id: string, param = 'id') =>
  new StripeApiError(404, 'invalid_request_error', 'resource_missing', `No such ${kind}: '${id}'`, param);

export const badParam = (param: string, message: string) =>
  new StripeApiError(400, 'invalid_request_error', 'parameter_invalid', message, param);

export const missingParam = (param: string) =>
  new StripeApiError(
    400,
    'invalid_request_error',
    'parameter_missing',
    `Missing required param: ${param}.`,
    param,
  );
