import type { ServerResponse } from 'node:http';
import helmet from 'helmet';

/** Header name → value, in the order helmet sets them. */
export type SecurityHeaders = ReadonlyArray<readonly [string, string]>;

/**
 * The headers helmet's defaults put on every response, read once by running helmet against a
 * recording response. With the defaults none of them depends on the request, so every response can
 * carry this list instead of paying for helmet's twelve middleware calls each time.
 */
export function helmetHeaders(): SecurityHeaders {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  let done = false;
  helmet()({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err;
    done = true;
  });
  // A helmet that waited on the request or went asynchronous could not be captured once.
  if (!done) throw new Error('helmet did not finish synchronously; its headers cannot be captured once');
  return [...headers];
}

export function setSecurityHeaders(res: ServerResponse, headers: SecurityHeaders): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}
