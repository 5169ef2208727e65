import { StripeApiError } from './errors';

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

/**
 * Decodes a form-encoded body the way Stripe reads it: `metadata[user_id]=…`, `expand[]=a`,
 * `line_items[0][price]=…` become nested objects and arrays. A key that does not follow the
 * bracket grammar, or that is used both as a value and as a container, is a 400, never a crash.
 */
export function parseStripeForm(text: string): FormObject {
  const root: FormObject = {};
  if (!text) return root;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(text);
  } catch {
    throw invalid('body', 'The request body could not be decoded.');
  }
  for (const [rawKey, value] of params) {
    const path = splitKey(rawKey);
    assign(root, path, value, rawKey);
  }
  return root;
}

function invalid(param: string, message: string): StripeApiError {
  return new StripeApiError(400, 'invalid_request_error', 'parameter_invalid', message, param);
}

// Keys that would reach Object.prototype through plain objects: refused, never assigned.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function splitKey(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) throw invalid(key.slice(0, 80), `Invalid parameter name: ${key.slice(0, 80)}`);
  const rest = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  const parts = [match[1] as string, ...rest];
  if (parts.some((p) => FORBIDDEN.has(p)))
    throw invalid(key.slice(0, 80), `Invalid parameter name: ${key.slice(0, 80)}`);
  return parts;
}

function assign(target: FormObject | FormValue[], path: string[], value: string, rawKey: string): void {
  const [head, ...tail] = path as [string, ...string[]];
  if (Array.isArray(target)) {
    // `[]` appends; `[n]` addresses an index (Stripe's SDK sends indices densely from 0).
    const index = head === '' ? target.length : Number(head);
    if (!Number.isInteger(index) || index < 0 || index > 1000)
      throw invalid(rawKey.slice(0, 80), `Invalid array index in ${rawKey.slice(0, 80)}`);
    if (tail.length === 0) {
      target[index] = value;
      return;
    }
    target[index] ??= isIndex(tail[0] as string) ? [] : {};
    const child = target[index];
    if (typeof child === 'string')
      throw invalid(rawKey.slice(0, 80), `Conflicting values for ${rawKey.slice(0, 80)}`);
    assign(child, tail, value, rawKey);
    return;
  }
  if (head === '') throw invalid(rawKey.slice(0, 80), `Invalid parameter name: ${rawKey.slice(0, 80)}`);
  if (tail.length === 0) {
    if (Object.hasOwn(target, head) && typeof target[head] !== 'string')
      throw invalid(rawKey.slice(0, 80), `Conflicting values for ${rawKey.slice(0, 80)}`);
    target[head] = value;
    return;
  }
  if (!Object.hasOwn(target, head)) target[head] = isIndex(tail[0] as string) ? [] : {};
  const child = target[head];
  if (typeof child === 'string')
    throw invalid(rawKey.slice(0, 80), `Conflicting values for ${rawKey.slice(0, 80)}`);
  assign(child as FormObject | FormValue[], tail, value, rawKey);
}

const isIndex = (part: string) => part === '' || /^\d+$/.test(part);
