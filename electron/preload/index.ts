// The sandboxed preload: exposes exactly the bridge built from the contracts as window.siberia.
// ipcRenderer itself never reaches the page; events are limited to the contract's names.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { bridgeEvents, buildBridge, ipcChannel } from '../../contracts/bridge';

const bridge = buildBridge(
  (name, input) => ipcRenderer.invoke(ipcChannel(name), input),
  (event, listener) => {
    if (!Object.hasOwn(bridgeEvents, event)) throw new Error(`Unknown event "${String(event)}"`);
    if (typeof listener !== 'function') throw new Error('listener must be a function');
    const channel = ipcChannel(event);
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
);

contextBridge.exposeInMainWorld('siberia', bridge);
