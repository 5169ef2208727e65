// The shape of `window.siberia` without the schemas: what the sandboxed preload needs at run time.
// It imports no zod (types only), so the preload bundle carries the names, not the validators; the
// names themselves come from the table in bridge.ts (at build time for the preload).
import type { BridgeEventName, BridgeMethodName, SiberiaBridge } from './bridge';

export type BridgeNames = { methods: readonly BridgeMethodName[]; events: readonly BridgeEventName[] };

/** IPC channel of a method or event: one prefix so main can tell ours from anything else. */
export const ipcChannel = (name: BridgeMethodName | BridgeEventName): string => `siberia:${name}`;

/** Builds the nested `window.siberia` object from one generic `invoke`; unknown events are refused. */
export function bridgeFromNames(
  names: BridgeNames,
  invoke: (name: BridgeMethodName, input: unknown) => Promise<unknown>,
  subscribe: (event: BridgeEventName, listener: (payload: unknown) => void) => () => void,
): SiberiaBridge {
  const tree: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const name of names.methods) {
    const [ns, fn] = name.split('.') as [string, string];
    tree[ns] ??= {};
    tree[ns][fn] = (input?: unknown) => invoke(name, input);
  }
  return {
    ...tree,
    on: (event: BridgeEventName, listener: (payload: unknown) => void) => {
      if (!names.events.includes(event)) throw new Error(`Unknown event "${String(event)}"`);
      if (typeof listener !== 'function') throw new Error('listener must be a function');
      return subscribe(event, listener);
    },
  } as unknown as SiberiaBridge;
}
