// The real preload bundle under a stand-in electron: the bridge it exposes is the contract's, and it
// carries no schema library (the renderer's start pays for every kilobyte the preload evaluates).
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { bridgeEvents, bridgeMethods, ipcChannel } from '../../contracts/bridge';
import { createPreloadStandIn } from './electron-stand-in';
import { buildElectronBundles, cacheModule } from './main-harness';

let preload = '';
beforeAll(() => {
  preload = buildElectronBundles().preload;
}, 60_000);

function loadPreload() {
  const electron = createPreloadStandIn();
  cacheModule('electron', electron.module);
  const require = createRequire(preload);
  delete require.cache[preload];
  require(preload);
  return electron;
}

describe('the preload bundle', () => {
  it('is small and holds no zod', () => {
    expect(statSync(preload).size).toBeLessThan(8 * 1024);
    expect(readFileSync(preload, 'utf8')).not.toMatch(/zod|ZodError|safeParse/);
  });

  it('exposes window.siberia with every method of the contract, each invoking its channel', async () => {
    const electron = loadPreload();
    const bridge = electron.exposed.get('siberia') as Record<
      string,
      Record<string, (i?: unknown) => unknown>
    >;
    expect([...electron.exposed.keys()]).toEqual(['siberia']);
    for (const name of Object.keys(bridgeMethods)) {
      const [ns, fn] = name.split('.') as [string, string];
      expect(typeof bridge[ns]?.[fn], name).toBe('function');
      await bridge[ns]?.[fn]?.({ probe: name });
    }
    expect(electron.invoked).toEqual(
      Object.keys(bridgeMethods).map((name) => ({
        channel: ipcChannel(name as keyof typeof bridgeMethods),
        args: [{ probe: name }],
      })),
    );
  });

  it('subscribes to the contract’s events only, and unsubscribes', () => {
    const electron = loadPreload();
    const bridge = electron.exposed.get('siberia') as {
      on(event: string, listener: (p: unknown) => void): () => void;
    };
    const seen: unknown[] = [];
    for (const event of Object.keys(bridgeEvents)) {
      const off = bridge.on(event, (p) => seen.push(p));
      electron.deliver(ipcChannel(event as keyof typeof bridgeEvents), event);
      off();
      expect(electron.listenerCount(ipcChannel(event as keyof typeof bridgeEvents))).toBe(0);
    }
    expect(seen).toEqual(Object.keys(bridgeEvents));
    expect(() => bridge.on('ipc:anything', () => {})).toThrow(/Unknown event/);
    expect(() => bridge.on('notice', 'not a function' as never)).toThrow(/function/);
  });
});
