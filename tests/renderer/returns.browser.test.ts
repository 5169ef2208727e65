// Refusals and checkout returns that the real services reach only after a month of use or days
// offline: the scripted bridge plays main's side with contract-valid answers and events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Desk, emit, importWav, openDesk, scriptedCalls, startDesk, toneWav } from './harness';
import { newTrack } from '../../contracts/project';
import { refusal as refusalOf } from '../../contracts/refusal';
import { emptyProject } from '../../renderer/state/mix';
import { FREE, proEntitlements, signedIn } from './scripted-bridge';

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

const at = () => new Date().toISOString();
/** The gate's answer once this month's 500 exports are used. */
const quotaReached = {
  export: refusalOf('quota_exceeded', 'export', {
    used: 500,
    limit: 500,
    resetAt: '2026-12-01T00:00:00.000Z',
  }),
};

describe('refusals the gate gives a Pro user', () => {
  it('quota reached: the usage and the reset date, and nothing to buy', async () => {
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: proEntitlements(500),
      refusals: quotaReached,
    });
    await importWav(page, 'Keys.wav', toneWav(1));
    await page.getByRole('button', { name: 'Export mix' }).click();
    const refusal = page.getByRole('dialog', { name: 'Monthly quota reached' });
    await refusal
      .getByText(
        'You have used 500 of your 500 exports this month. The counter goes back to zero on 1 December 2026.',
      )
      .waitFor();
    // Pro already: no pricing link, no upgrade wording.
    expect(await refusal.getByRole('button', { name: 'See plans' }).count()).toBe(0);
    expect(await refusal.innerText()).not.toMatch(/Go Pro|upgrade/i);
    await refusal.getByRole('button', { name: 'Not now' }).click();
    expect(
      (await scriptedCalls(page)).some((c) => c.name === 'gate.saveRender' || c.name === 'gate.beginRender'),
    ).toBe(false);
    await page.close();
  });

  it('offline too long: reconnect, with a retry that asks the gate again', async () => {
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: { ...proEntitlements(5), online: false },
      refusals: { master: refusalOf('offline_expired', 'master', { offlineUntil: at() }) },
    });
    await importWav(page, 'Keys.wav', toneWav(1));
    await page.getByRole('button', { name: 'Master', exact: true }).click();
    const refusal = page.getByRole('dialog', { name: 'Reconnect to keep exporting' });
    await refusal.waitFor();
    await refusal.getByRole('button', { name: 'Try again' }).click();
    await expect
      .poll(async () => (await scriptedCalls(page)).filter((c) => c.name === 'gate.authorize').length)
      .toBe(2);
    expect((await scriptedCalls(page)).some((c) => c.name === 'entitlements.refresh')).toBe(true);
    await page.close();
  });

  it('the French refusal of a Pro musician at the limit says so, without « passez en Pro »', async () => {
    const page = await openDesk(desk, {
      info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale: 'fr', deviceId: 'dev-test-0001' },
      account: signedIn(),
      entitlements: proEntitlements(500),
      refusals: quotaReached,
    });
    await importWav(page, 'Keys.wav', toneWav(1));
    await page.getByRole('button', { name: 'Exporter le mix' }).click();
    const refusal = page.getByRole('dialog', { name: 'Quota mensuel atteint' });
    await refusal.waitFor();
    expect(await refusal.innerText()).not.toContain('passez en Pro');
    await page.close();
  });
});

describe('checkout returns, driven by checkout.changed', () => {
  it('success: thanks, and the header turns Pro with its usage gauge', async () => {
    const page = await openDesk(desk, { account: signedIn() });
    await emit(page, 'checkout.changed', { phase: 'pending', priceId: 'price_annual', startedAt: at() });
    await page.getByRole('dialog', { name: 'Finish your payment in the browser' }).waitFor();
    expect(await page.getByTestId('plan-badge').innerText()).toBe('FREE');
    await emit(page, 'entitlements.changed', proEntitlements(0));
    await emit(page, 'checkout.changed', { phase: 'success', priceId: 'price_annual', startedAt: at() });
    const thanks = page.getByRole('dialog', { name: 'Thank you — you are Pro' });
    await thanks.waitFor();
    expect(await page.getByTestId('plan-badge').innerText()).toBe('PRO');
    expect(await page.getByTestId('usage-gauge').innerText()).toBe('0/500 exports · 1/100 masters');
    await thanks.getByRole('button', { name: 'Close' }).last().click();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.close();
  });

  it('cancel: a calm message and nothing changed', async () => {
    const page = await openDesk(desk, { account: signedIn() });
    await emit(page, 'checkout.changed', { phase: 'pending', priceId: 'price_monthly', startedAt: at() });
    await emit(page, 'checkout.changed', { phase: 'cancelled', priceId: 'price_monthly', startedAt: at() });
    await page.getByRole('dialog', { name: 'Payment cancelled' }).waitFor();
    expect(await page.getByTestId('plan-badge').innerText()).toBe('FREE');
    expect(await page.getByTestId('usage-gauge').count()).toBe(0);
    await page.close();
  });

  it('unconfirmed: says so and offers a refresh', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: FREE });
    await emit(page, 'checkout.changed', { phase: 'unconfirmed', priceId: 'price_monthly', startedAt: at() });
    const panel = page.getByRole('dialog', { name: 'Payment not confirmed yet' });
    await panel.waitFor();
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect
      .poll(async () => (await scriptedCalls(page)).some((c) => c.name === 'entitlements.refresh'))
      .toBe(true);
    await page.close();
  });

  it('the waiting state in French', async () => {
    const page = await openDesk(desk, {
      info: { version: '0.1.0', platform: 'linux', serverUrl: 'x', locale: 'fr', deviceId: 'dev-test-0001' },
      account: signedIn(),
    });
    await emit(page, 'checkout.changed', { phase: 'pending', priceId: 'price_monthly', startedAt: at() });
    const waiting = page.getByRole('dialog', { name: 'Terminez votre paiement dans le navigateur' });
    await waiting.getByRole('button', { name: 'Rouvrir la page de paiement' }).waitFor();
    await emit(page, 'entitlements.changed', proEntitlements(0));
    await emit(page, 'checkout.changed', { phase: 'success', priceId: 'price_monthly', startedAt: at() });
    await page.getByRole('dialog', { name: 'Merci, vous êtes Pro' }).waitFor();
    await page.close();
  });
});

describe('projects, the account menu and main’s notices', () => {
  it('Pro opens a project: its tracks replace the desk, those without audio offer Locate…', async () => {
    const project = {
      ...emptyProject(),
      name: 'Song',
      tracks: [newTrack('t1', 'Piano', 'piano.wav'), newTrack('t2', 'Voice', 'voice.wav')],
    };
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: proEntitlements(0),
      openProject: project,
    });
    await importWav(page, 'Old.wav', toneWav(1));
    await page.getByRole('button', { name: 'Open…' }).click();
    await page
      .getByText('Opened /home/musician/Music/song/song.siberia. Audio missing for: Piano, Voice.', {
        exact: false,
      })
      .waitFor();
    expect(
      await page
        .getByRole('textbox', { name: 'Track name' })
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).toEqual(['Piano', 'Voice']);
    await page.getByText('Audio missing: “piano.wav”').waitFor();
    // Locate… asks main (here the musician cancels its dialog: nothing is said, nothing changes).
    await page.getByRole('button', { name: 'Locate…' }).first().click();
    await expect
      .poll(async () => (await scriptedCalls(page)).some((c) => c.name === 'project.locateAudio'))
      .toBe(true);
    expect((await scriptedCalls(page)).find((c) => c.name === 'project.locateAudio')?.input).toEqual({
      trackId: 't1',
    });
    await page.getByRole('button', { name: 'Save as…' }).click();
    await page.getByText('Saved to /home/musician/Music/song/song.siberia').waitFor();
    const save = (await scriptedCalls(page)).find((c) => c.name === 'project.save')?.input as {
      saveAs: boolean;
      project: { name: string };
    };
    expect(save).toMatchObject({ saveAs: true, project: { name: 'Song' } });
    await page.close();
  });

  it('a free user cannot open a project either: main refuses, the desk shows its refusal', async () => {
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: FREE,
      openProject: emptyProject(),
    });
    await page.getByRole('button', { name: 'Open…' }).click();
    await page.getByRole('dialog', { name: 'Reserved for Pro subscribers' }).waitFor();
    expect((await scriptedCalls(page)).filter((c) => c.name === 'project.open')).toHaveLength(1);
    expect(await page.getByText('Opened', { exact: false }).count()).toBe(0);
    await page.close();
  });

  it('a Pro user offline past the pass is asked to reconnect before saving', async () => {
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: {
        ...proEntitlements(0),
        online: false,
        offline: { until: at(), exportsLeft: 0, mastersLeft: 0 },
      },
    });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog', { name: 'Reconnect to keep exporting' }).waitFor();
    expect((await scriptedCalls(page)).filter((c) => c.name === 'project.save')).toHaveLength(1);
    await page.close();
  });

  it('manage subscription opens the billing portal; sign out signs out', async () => {
    const page = await openDesk(desk, { account: signedIn(), entitlements: proEntitlements(3) });
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Manage subscription' }).click();
    await expect
      .poll(async () => (await scriptedCalls(page)).some((c) => c.name === 'billing.openPortal'))
      .toBe(true);
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Sign in' }).waitFor();
    await page.close();
  });

  it('shows what main wants the musician to know', async () => {
    const page = await openDesk(desk);
    await emit(page, 'notice', {
      level: 'warning',
      code: 'keychain_unavailable',
      message: 'Your sign-in is kept for this session only.',
    });
    await page
      .getByRole('status')
      .filter({ hasText: 'Your sign-in is kept for this session only.' })
      .waitFor();
    await page.close();
  });
});
