// The sandboxed preload: exposes exactly the bridge built from the contracts as window.siberia.
// ipcRenderer itself never reaches the page; events are limited to the contract's names. The names
// are put in at build time (scripts/build-electron.ts) from the contract's table, so the preload
// carries no schema library: main validates every call anyway.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { type BridgeNames, bridgeFromNames, ipcChannel } from '../../contracts/bridge-shape';

declare const SIBERIA_BRIDGE_NAMES: BridgeNames;

const bridge = bridgeFromNames(
  SIBERIA_BRIDGE_NAMES,
  (name, input) => ipcRenderer.invoke(ipcChannel(name), input),
  (event, listener) => {
    const channel = ipcChannel(event);
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
);

contextBridge.exposeInMainWorld('siberia', bridge);
