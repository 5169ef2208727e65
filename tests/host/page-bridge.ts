// Runs in the page before its own scripts (addInitScript): builds window.siberia with the same
// buildBridge the preload uses, over Playwright's binding instead of ipcRenderer.
import { type BridgeEventName, bridgeEvents, buildBridge } from '../../contracts/bridge';
import { decodeBytes, encodeBytes } from '../../browser-shell/bytes-json';

type HostWindow = typeof globalThis & {
  __siberiaInvoke(name: string, input: unknown): Promise<unknown>;
  __siberiaDeliver?(event: string, payload: unknown): void;
  siberia?: unknown;
};
const w = globalThis as HostWindow;

const listeners = new Map<string, Set<(payload: unknown) => void>>();
w.__siberiaDeliver = (event, payload) => {
  for (const l of listeners.get(event) ?? []) l(payload);
};

if (window.top === window) {
  w.siberia = Object.freeze(
    buildBridge(
      async (name, input) => decodeBytes(await w.__siberiaInvoke(name, encodeBytes(input))),
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
