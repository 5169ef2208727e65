// Runs in the page before its own scripts (addInitScript): builds window.siberia with the same
// buildBridge the preload uses, over Playwright's binding instead of ipcRenderer.
import { type BridgeEventName, bridgeEvents, buildBridge } from '../../contracts/bridge';

type HostWindow = typeof globalThis & {
  __siberiaInvoke(name: string, input: unknown): Promise<unknown>;
  __siberiaDeliver?(event: string, payload: unknown): void;
  siberia?: unknown;
};
const w = globalThis as HostWindow;

/** Bytes do not survive the binding's JSON: they cross as base64 and are restored in Node. */
function encode(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    let binary = '';
    for (let i = 0; i < value.length; i += 0x8000)
      binary += String.fromCharCode(...value.subarray(i, i + 0x8000));
    return { __siberiaBytes: btoa(binary) };
  }
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.__siberiaBytes === 'string' && Object.keys(v).length === 1)
      return Uint8Array.from(atob(v.__siberiaBytes), (c) => c.charCodeAt(0));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  }
  return value;
}

const listeners = new Map<string, Set<(payload: unknown) => void>>();
w.__siberiaDeliver = (event, payload) => {
  for (const l of listeners.get(event) ?? []) l(payload);
};

if (window.top === window) {
  w.siberia = Object.freeze(
    buildBridge(
      async (name, input) => decode(await w.__siberiaInvoke(name, encode(input))),
      (event: BridgeEventName, listener) => {
        if (!Object.hasOwn(bridgeEvents, event)) throw new Error(`Unknown event "${String(event)}"`);
        const set = listeners.get(event) ?? new Set();
        listeners.set(event, set);
        set.add(listener);
        return () => {
          set.delete(listener);
        };
      },
    ),
  );
}
