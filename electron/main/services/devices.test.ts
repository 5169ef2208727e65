import { describe, expect, it } from 'vitest';
import { DevicesResponse } from '../../../contracts/api';
import { companionSuite } from '../../../tests/host/companion-suite';
import { type MainUnderTest, mainUnderTest } from '../../../tests/host/main-under-test';

const suite = companionSuite({ MAX_DEVICES_PER_USER: '2' });
const credentials = { email: 'three-devices@example.com', password: 'a long password' };

/** Main on a device of its own (its own data folder, so its own device id), signed in to one account. */
async function device(first = false): Promise<MainUnderTest> {
  const t = mainUnderTest(suite.companion.url);
  const state = first ? await t.main.account.signUp(credentials) : await t.main.account.signIn(credentials);
  if (state.status !== 'signed_in') throw new Error('not signed in');
  if (first) await suite.companion.setPlan(state.user.id, 'pro');
  await t.main.entitlements.refresh();
  return t;
}

describe('devices', () => {
  it('refuses a device past the limit with device_limit, lists the others, and lets one be signed out', async () => {
    const a = await device(true);
    const b = await device();
    expect(a.main.entitlements.state().plan).toBe('pro');
    expect(b.main.entitlements.state().plan).toBe('pro');
    const c = await device();
    // No place for the third: no token to work offline on, and its render is refused with the reason.
    expect(c.main.entitlements.state()).toMatchObject({ plan: 'free', source: 'none' });
    await expect(c.main.gate.authorize('export')).rejects.toMatchObject({
      refusal: { reason: 'device_limit', feature: 'export', limit: 2 },
    });
    const listed = await c.main.dispatch('account.devices', undefined, true);
    expect(listed).toMatchObject({ ok: true, value: { limit: 2 } });
    if (!listed.ok) throw new Error('no list');
    const list = DevicesResponse.parse(listed.value);
    expect(list.devices.map((d) => d.deviceId).sort()).toEqual([a.main.deviceId, b.main.deviceId].sort());
    // From the third device, the musician signs the second out: its place is the third's now.
    const after = await c.main.dispatch('account.signOutDevice', { deviceId: b.main.deviceId }, true);
    expect(after).toMatchObject({ ok: true });
    if (!after.ok) throw new Error('not signed out');
    expect(DevicesResponse.parse(after.value).devices.map((d) => d.deviceId)).toEqual([a.main.deviceId]);
    expect(await c.main.gate.authorize('export')).toMatchObject({ kind: 'export', offline: false });
    await c.main.entitlements.refresh();
    expect(c.main.entitlements.state().plan).toBe('pro');
    // The signed-out device's session ends once its access token is renewed.
    b.clock.advance(16 * 60_000);
    await b.main.entitlements.refresh();
    expect(b.main.account.state()).toEqual({ status: 'signed_out' });
  });
});
