// The reverb bus from the desk to the file: a restored session whose track sends to the bus exports,
// through the engine Worker, exactly the engine's render with that bus (and not the dry mix).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProject, newTrack, type ProjectFile } from '../../contracts/project';
import { decodeWav, encodeWav, renderMix } from '../../engine/index';
import { type Desk, differing, openDesk, startDesk, toneWav } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
});
afterAll(() => desk?.close());

type Scripted = { state: { saved: { base64?: string }[]; autosaved: ProjectFile | null } };
const scripted = (page: Page) =>
  page.evaluate(() => (window as unknown as { __scripted: Scripted }).__scripted.state);

const VOX = toneWav(1.5, 330);

describe('the reverb bus in the export', () => {
  it('a track sending to the bus exports the engine’s render with the bus, sample for sample', async () => {
    const base = newProject('Reverb', 48000);
    const project: ProjectFile = {
      ...base,
      tracks: [
        {
          ...newTrack('vox', 'Vox', 'Vox.wav'),
          gainDb: -4,
          pan: 0.3,
          send: { enabled: true, levelDb: -3, preFader: true },
        },
      ],
      reverb: { returnDb: -2, size: 0.8, decaySec: 2.5, damping: 0.2, preDelayMs: 40 },
    };
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: proEntitlements(5),
      restore: { savedAt: new Date().toISOString(), project } as never,
    });
    await page.getByText('Audio missing: import “Vox.wav” again').waitFor();
    await page.setInputFiles('[data-testid="import-input"]', {
      name: 'Vox.wav',
      mimeType: 'audio/wav',
      buffer: VOX,
    });
    await page.getByRole('img', { name: 'Waveform of Vox' }).waitFor();
    // Through the export dialog, in 32-bit float at the session's rate: the file holds the engine's
    // samples themselves (no dither, no resampling), so "sample for sample" means bit for bit.
    await page.getByRole('button', { name: 'Export mix' }).click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.getByRole('radio', { name: 'WAV 32-bit float' }).check();
    await dialog.getByRole('radio', { name: 'As the session (48 kHz)', exact: true }).check();
    await dialog.locator('button[type="submit"]').click();
    await page.getByText(/^Saved to \/home\/musician\/Music\//).waitFor({ timeout: 20_000 });
    const saved = (await scripted(page)).saved[0]?.base64 as string;
    const exported = decodeWav(new Uint8Array(Buffer.from(saved, 'base64')));
    const input = {
      tracks: project.tracks,
      master: project.master,
      sampleRate: project.sampleRate,
      sources: [{ trackId: 'vox', audio: decodeWav(new Uint8Array(VOX)) }],
    };
    const expected = decodeWav(
      encodeWav(renderMix({ ...input, reverb: project.reverb }), { format: 'wav32f' }),
    );
    const dry = decodeWav(encodeWav(renderMix(input), { format: 'wav32f' }));
    expect(exported.channels[0]).toHaveLength(expected.channels[0]?.length as number);
    // Counted, not compared as arrays: a failure's diff of 10⁵ samples would take minutes to print.
    expect(differing(exported.channels, expected.channels)).toBe(0);
    expect(differing(exported.channels, dry.channels)).toBeGreaterThan(1000);
    await page.close();
  }, 90_000);
});
