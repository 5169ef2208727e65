import type { z } from 'zod';
import { DomainError } from '../domain/errors';

/** Parses a request body with its contract schema; a mismatch is a 400 naming the fields. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new DomainError(
      'validation_error',
      `Invalid request: ${fields.map((f) => `${f.path || 'body'} ${f.message}`).join('; ')}`,
      { fields },
    );
  }
  return parsed.data;
}
