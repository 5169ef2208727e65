import { badParam, missingParam, StripeApiError } from './errors';
import type { FormObject, FormValue } from './form';
import type { Core } from './core';
import { render, type StripeObject } from './store';

export type Req = { params: Record<string, string>; body: FormObject };
export type Route = {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  handler: (core: Core, req: Req) => unknown;
};

/** Stripe refuses parameters it does not know: so does the emulator, naming the first one. */
export function allow(body: FormObject, known: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (key === 'expand' || known.includes(key)) continue;
    throw new StripeApiError(
      400,
      'invalid_request_error',
      'parameter_unknown',
      `Received unknown parameter: ${key}`,
      key,
    );
  }
}

export function str(body: FormObject, key: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badParam(key, `Invalid string: ${key}`);
  return v;
}

export function required(body: FormObject, key: string): string {
  const v = str(body, key);
  if (v === undefined || v === '') throw missingParam(key);
  return v;
}

export function int(
  body: FormObject,
  key: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = str(body, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max) throw badParam(key, `Invalid integer: ${v.slice(0, 40)}`);
  return n;
}

export function bool(body: FormObject, key: string): boolean | undefined {
  const v = str(body, key);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw badParam(key, `Invalid boolean: ${v.slice(0, 40)}`);
  return v === 'true';
}

export function obj(body: FormObject, key: string): FormObject | undefined {
  const v = body[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badParam(key, `Invalid hash: ${key}`);
  return v;
}

export function strArray(body: FormObject, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  const arr: FormValue[] = Array.isArray(v) ? v : typeof v === 'object' ? Object.values(v) : [v];
  if (!arr.every((x) => typeof x === 'string')) throw badParam(key, `Invalid array: ${key}`);
  return arr as string[];
}

/** `metadata[k]=v`; an empty value deletes the key, as on Stripe. */
export function metadata(body: FormObject, current: Record<string, string> = {}): Record<string, string> {
  const m = body.metadata;
  if (m === undefined) return current;
  if (m === '') return {};
  if (typeof m !== 'object' || Array.isArray(m)) throw badParam('metadata', 'Invalid hash: metadata');
  const out = { ...current };
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw badParam(`metadata[${k}]`, 'Metadata values must be strings');
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}

/**
 * The objects that match every filter the request gives: each filter is the value asked for (undefined
 * when the request does not name it, which keeps everything) and the object's field it is compared with.
 */
export function whereGiven(
  items: StripeObject[],
  filters: ReadonlyArray<readonly [wanted: unknown, field: (o: StripeObject) => unknown]>,
): StripeObject[] {
  const given = filters.filter(([wanted]) => wanted !== undefined);
  return given.length === 0
    ? items
    : items.filter((o) => given.every(([wanted, field]) => field(o) === wanted));
}

/** `created=<epoch>` or `created[gt|gte|lt|lte]=<epoch>`: the objects created in that range. */
export function createdIn(items: StripeObject[], body: FormObject): StripeObject[] {
  const v = body.created;
  if (v === undefined) return items;
  if (typeof v === 'string') {
    const at = int(body, 'created');
    return items.filter((o) => o.created === at);
  }
  if (Array.isArray(v))
    throw badParam('created', 'Invalid created: an integer or a hash of gt, gte, lt, lte.');
  allow(v, ['gt', 'gte', 'lt', 'lte']);
  const gt = int(v, 'gt');
  const gte = int(v, 'gte');
  const lt = int(v, 'lt');
  const lte = int(v, 'lte');
  return items.filter(
    (o) =>
      (gt === undefined || o.created > gt) &&
      (gte === undefined || o.created >= gte) &&
      (lt === undefined || o.created < lt) &&
      (lte === undefined || o.created <= lte),
  );
}

/** A Stripe list page: newest first, `limit` (1–100), `starting_after`, `ending_before`, `has_more`. */
export function listPage(
  core: Core,
  items: StripeObject[],
  body: FormObject,
  url: string,
  expandPrefix = 'data.',
  hook?: ExpandHook,
) {
  const limit = int(body, 'limit', 1, 100) ?? 10;
  const after = str(body, 'starting_after');
  const before = str(body, 'ending_before');
  let start = 0;
  let end = items.length;
  if (after) {
    const i = items.findIndex((o) => o.id === after);
    if (i < 0) throw badParam('starting_after', `No such object: '${after}'`);
    start = i + 1;
  }
  if (before) {
    const i = items.findIndex((o) => o.id === before);
    if (i < 0) throw badParam('ending_before', `No such object: '${before}'`);
    end = i;
    start = Math.max(0, end - limit);
  }
  const page = items.slice(start, Math.min(end, start + limit));
  const expandPaths = (strArray(body, 'expand') ?? [])
    .filter((p) => p.startsWith(expandPrefix))
    .map((p) => p.slice(expandPrefix.length));
  return {
    object: 'list',
    data: page.map((o) => expandObject(core, render(o), expandPaths, hook)),
    has_more: before ? start > 0 : start + limit < end,
    url,
  };
}

/**
 * `expand[]=customer`, `expand[]=subscription.items.data.price.product`: each path walks the object,
 * through lists' `data`, and replaces an id found on the way by the object it names.
 */
export function expandObject<T>(core: Core, value: T, paths: readonly string[], extra?: ExpandHook): T {
  let out = value as unknown;
  for (const path of paths) out = expandPath(core, out, path.split('.'), path, extra);
  return out as T;
}

export type ExpandHook = (obj: Record<string, unknown>, field: string) => unknown | undefined;

function expandPath(core: Core, value: unknown, parts: string[], full: string, extra?: ExpandHook): unknown {
  if (parts.length === 0 || value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => expandPath(core, v, parts, full, extra));
  if (typeof value !== 'object') return value;
  const [head, ...rest] = parts as [string, ...string[]];
  const record = value as Record<string, unknown>;
  let field = record[head];
  const hooked = extra?.(record, head);
  if (hooked !== undefined) field = hooked;
  else if (!Object.hasOwn(record, head)) {
    throw badParam('expand', `This property cannot be expanded (${head}) in ${full}.`);
  }
  if (typeof field === 'string') {
    const target = core.store.get(field);
    if (!target) throw badParam('expand', `This property cannot be expanded (${head}).`);
    field = render(target);
  }
  return { ...record, [head]: expandPath(core, field, rest, full, extra) };
}

export function expandOf(body: FormObject): string[] {
  return strArray(body, 'expand') ?? [];
}
