import type { z } from 'zod';
import {
  type BridgeError,
  type BridgeMethodName,
  type BridgeMethods,
  type BridgeOutput,
  bridgeMethods,
  ipcChannel,
} from '../../../contracts/bridge';
import { toBridgeError } from '../bridge-failure';
import type { Logger } from '../ports';

type OkValue<M extends BridgeMethodName> = Extract<BridgeOutput<M>, { ok: true }>['value'];
export type Handlers = {
  [M in BridgeMethodName]: (input: z.output<BridgeMethods[M]['input']>) => Promise<OkValue<M>> | OkValue<M>;
};
export type DispatchResult = { ok: true; value: unknown } | { ok: false; error: BridgeError };
export type Dispatch = (name: unknown, raw: unknown, senderAllowed: boolean) => Promise<DispatchResult>;

export const methodNames = Object.keys(bridgeMethods) as BridgeMethodName[];

/** The IPC channels main listens on, from the one table, with the method each one calls. */
export const ipcRoutes: ReadonlyArray<{ channel: string; method: BridgeMethodName }> = methodNames.map(
  (method) => ({ channel: ipcChannel(method), method }),
);

function isMethod(name: unknown): name is BridgeMethodName {
  return typeof name === 'string' && Object.hasOwn(bridgeMethods, name);
}

/**
 * Name + raw input + whether the sender is our window → a validated call → `{ok, value|error}`.
 * The same function serves Electron's ipcMain and the test host, so both refuse the same things.
 */
export function createDispatch(handlers: Handlers, logger: Logger): Dispatch {
  return async (name, raw, senderAllowed) => {
    if (!senderAllowed) {
      logger.warn('IPC call from an unexpected sender refused', { method: String(name).slice(0, 64) });
      return { ok: false, error: { code: 'unauthorized', message: 'This caller may not use the bridge.' } };
    }
    if (!isMethod(name)) {
      return {
        ok: false,
        error: { code: 'not_found', message: `No bridge method "${String(name).slice(0, 64)}".` },
      };
    }
    const spec = bridgeMethods[name];
    const input = spec.input.safeParse(raw);
    if (!input.success) {
      const issue = input.error.issues[0];
      return {
        ok: false,
        error: {
          code: 'validation_error',
          message: `${name}: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
        },
      };
    }
    try {
      const handler = handlers[name] as (input: unknown) => Promise<unknown> | unknown;
      const result = spec.output.safeParse({ ok: true, value: await handler(input.data) });
      if (!result.success) {
        logger.error('bridge answer does not match the contract', {
          method: name,
          issue: result.error.issues[0]?.message,
        });
        return { ok: false, error: { code: 'internal', message: 'Something went wrong.' } };
      }
      return result.data as DispatchResult;
    } catch (e) {
      const error = toBridgeError(e);
      if (error.code === 'internal') logger.error('bridge call failed', { method: name, error: String(e) });
      return { ok: false, error };
    }
  };
}
