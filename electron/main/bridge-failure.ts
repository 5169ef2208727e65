import type { BridgeError } from '../../contracts/bridge';
import { ServerError, ServerUnreachable } from './server-client';

/** A refusal a service wants the renderer to see as `{ok:false, error}`. */
export class BridgeFailure extends Error {
  constructor(
    readonly code: BridgeError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'BridgeFailure';
  }
}

/** Every thrown thing becomes data for the renderer; internals are not leaked. */
export function toBridgeError(e: unknown): BridgeError {
  if (e instanceof BridgeFailure) return { code: e.code, message: e.message };
  if (e instanceof ServerError) return { code: e.code, message: e.message };
  if (e instanceof ServerUnreachable)
    return { code: 'server_unreachable', message: 'The Siberia Mix server cannot be reached.' };
  return { code: 'internal', message: 'Something went wrong.' };
}
