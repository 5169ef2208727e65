import { describe, expect, it } from 'vitest';
import { bridgeMethods, ipcChannel } from '../../../contracts/bridge';
import { BridgeFailure } from '../bridge-failure';
import { silentLogger } from '../ports';
import { createDispatch, type Handlers, ipcRoutes } from './dispatch';

const calls: string[] = [];
const info = {
  version: '1',
  platform: 'linux',
  serverUrl: 'http://x',
  locale: 'en' as const,
  deviceId: 'dev_12345678',
};
// Every method answers something plausible; the ones under test are overridden below.
const handlers = new Proxy({} as Handlers, {
  get: (_t, name: string) => async (input: unknown) => {
    calls.push(name);
    if (name === 'app.getInfo') return info;
    if (name === 'account.getState') return { status: 'bogus' };
    if (name === 'account.signOut') throw new BridgeFailure('unauthorized', 'no');
    if (name === 'entitlements.get') throw new Error('secret internals');
    return input;
  },
});
const dispatch = createDispatch(handlers, silentLogger);

describe('IPC dispatch', () => {
  it('has one channel per bridge method, from the one table', () => {
    expect(ipcRoutes.map((r) => r.method).sort()).toEqual(Object.keys(bridgeMethods).sort());
    for (const r of ipcRoutes) expect(r.channel).toBe(ipcChannel(r.method));
  });

  it('calls the handler with validated input and answers {ok:true,value}', async () => {
    expect(await dispatch('app.getInfo', undefined, true)).toEqual({ ok: true, value: info });
  });

  it('refuses untrusted senders, unknown methods and bad input without calling anything', async () => {
    calls.length = 0;
    expect(await dispatch('app.getInfo', undefined, false)).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect(await dispatch('app.__proto__', undefined, true)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await dispatch('toString', undefined, true)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await dispatch(42, undefined, true)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await dispatch('gate.authorize', { kind: 'steal' }, true)).toMatchObject({
      ok: false,
      error: { code: 'validation_error', message: expect.stringContaining('kind') },
    });
    expect(await dispatch('app.getInfo', { extra: true }, true)).toMatchObject({
      ok: false,
      error: { code: 'validation_error' },
    });
    expect(calls).toEqual([]);
  });

  it('turns refusals into data, hides internal errors, and never answers outside the contract', async () => {
    expect(await dispatch('account.signOut', undefined, true)).toEqual({
      ok: false,
      error: { code: 'unauthorized', message: 'no' },
    });
    const hidden = await dispatch('entitlements.get', undefined, true);
    expect(hidden).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(hidden)).not.toContain('secret');
    expect(await dispatch('account.getState', undefined, true)).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });
});
