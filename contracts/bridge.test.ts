import { describe, expect, it } from 'vitest';
import { BridgeError, bridgeEvents, bridgeMethods, buildBridge, ipcChannel, SaveRenderInput } from './bridge';
import { refusal } from './refusal';

describe('bridge table', () => {
  it('gives each method and event its own channel', () => {
    const names = [...Object.keys(bridgeMethods), ...Object.keys(bridgeEvents)];
    const channels = names.map((n) => ipcChannel(n as keyof typeof bridgeMethods));
    expect(new Set(channels).size).toBe(names.length);
    for (const c of channels) expect(c).toMatch(/^siberia:[a-z]+(\.[A-Za-z]+)?$/);
  });
  it('builds window.siberia from one invoke', async () => {
    const calls: Array<[string, unknown]> = [];
    const bridge = buildBridge(
      async (name, input) => {
        calls.push([name, input]);
        return { ok: true, value: null };
      },
      () => () => {},
    );
    await bridge.account.signIn({ email: 'a@b.co', password: 'pw' });
    await bridge.gate.authorize({ kind: 'export' });
    await bridge.app.getInfo();
    expect(calls).toEqual([
      ['account.signIn', { email: 'a@b.co', password: 'pw' }],
      ['gate.authorize', { kind: 'export' }],
      ['app.getInfo', undefined],
    ]);
    expect(typeof bridge.on).toBe('function');
  });
  it('validates inputs and results', () => {
    expect(bridgeMethods['gate.authorize'].input.safeParse({ kind: 'export' }).success).toBe(true);
    expect(bridgeMethods['gate.authorize'].input.safeParse({ kind: 'burn' }).success).toBe(false);
    expect(
      SaveRenderInput.safeParse({ grantId: 'g', data: new Uint8Array(4), suggestedName: 'mix.wav' }).success,
    ).toBe(true);
    expect(
      SaveRenderInput.safeParse({ grantId: 'g', data: [1, 2, 3], suggestedName: 'mix.wav' }).success,
    ).toBe(false);
    const quota = refusal('quota_exceeded', 'export', {
      used: 500,
      limit: 500,
      resetAt: '2026-12-01T00:00:00.000Z',
    });
    const authorize = bridgeMethods['gate.authorize'].output;
    expect(
      authorize.safeParse({ ok: false, error: { code: 'refused', message: 'Quota', refusal: quota } })
        .success,
    ).toBe(true);
    // A refusal always carries its facts, and only a refusal does.
    expect(BridgeError.safeParse({ code: 'refused', message: 'x' }).success).toBe(false);
    expect(
      BridgeError.safeParse({ code: 'refused', message: 'x', refusal: { ...quota, reason: 'because' } })
        .success,
    ).toBe(false);
    expect(BridgeError.safeParse({ code: 'upgrade_required', message: 'x' }).success).toBe(true);
    const out = bridgeMethods['account.getState'].output;
    expect(out.safeParse({ ok: true, value: { status: 'signed_out' } }).success).toBe(true);
    expect(
      out.safeParse({ ok: false, error: { code: 'server_unreachable', message: 'offline' } }).success,
    ).toBe(true);
    expect(out.safeParse({ ok: true, value: { status: 'signed_in' } }).success).toBe(false);
  });
});
