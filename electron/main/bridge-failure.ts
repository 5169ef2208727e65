import type { BridgeError } from '../../contracts/bridge';
import type { Refusal } from '../../contracts/refusal';
import { ServerError, ServerUnreachable } from './server-client';

/** A refusal a service wants the renderer to see as `{ok:false, error}`. */
export class BridgeFailure extends Error {
  constructor(
    readonly code: Exclude<BridgeError['code'], 'refused'>,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeFailure';
  }
}

/** Main refused a gated action: the renderer gets `{code: 'refused', refusal}` and shows it as is. */
export class Refused extends Error {
  constructor(
    readonly refusal: Refusal,
    message: string,
  ) {
    super(message);
    this.name = 'Refused';
  }
}

/** Every thrown thing becomes data for the renderer; internals are not leaked. */
export function toBridgeError(e: unknown): BridgeError {
  if (e instanceof BridgeFailure) return { code: e.code, message: e.message };
  if (e instanceof Refused) return { code: 'refused', message: e.message, refusal: e.refusal };
  if (e instanceof ServerError) return { code: e.code, message: e.message };
  if (e instanceof ServerUnreachable)
    return { code: 'server_unreachable', message: 'The Siberia Mix server cannot be reached.' };
  return { code: 'internal', message: 'Something went wrong.' };
}
