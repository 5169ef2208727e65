// The browser shell's preload: runs in the page before the renderer (a classic script in <head>,
// served from the shell's own origin, so the strict CSP allows it) and builds window.siberia over
// HTTP: calls are POSTed to the shell, events come as server-sent events. It also labels the page
// as the browser preview and tells main when the tab regains focus (a pending checkout is checked).
import { decodeBytes, encodeBytes } from './bytes-json';
import { type BridgeNames, bridgeFromNames } from '../contracts/bridge-shape';
import type { BridgeEventName } from '../contracts/bridge';

declare const SIBERIA_BRIDGE_NAMES: BridgeNames;
declare const SIBERIA_PREVIEW_LABEL: string;

const listeners = new Map<string, Set<(payload: unknown) => void>>();
const events = new EventSource('/__shell/events');
for (const name of SIBERIA_BRIDGE_NAMES.events) {
  events.addEventListener(name, (e) => {
    const payload = JSON.parse((e as MessageEvent<string>).data) as unknown;
    for (const l of listeners.get(name) ?? []) l(payload);
  });
}

async function invoke(name: string, input: unknown): Promise<unknown> {
  const res = await fetch('/__shell/invoke', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, input: encodeBytes(input) }),
  });
  if (!res.ok)
    return { ok: false, error: { code: 'internal', message: `The browser shell answered ${res.status}.` } };
  return decodeBytes(await res.json());
}

(window as unknown as { siberia: unknown }).siberia = Object.freeze(
  bridgeFromNames(SIBERIA_BRIDGE_NAMES, invoke, (event: BridgeEventName, listener) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }),
);

window.addEventListener('focus', () => {
  void fetch('/__shell/focus', { method: 'POST' });
});

document.addEventListener('DOMContentLoaded', () => {
  const label = document.createElement('div');
  label.id = 'browser-preview-label';
  label.setAttribute('role', 'status');
  label.textContent = SIBERIA_PREVIEW_LABEL;
  label.style.cssText =
    'position:fixed;bottom:0;left:0;right:0;z-index:2147483647;padding:4px 12px;font:12px system-ui,sans-serif;' +
    'background:#3a2f00;color:#ffe9a8;text-align:center;pointer-events:none;opacity:.92';
  document.body.append(label);
});
