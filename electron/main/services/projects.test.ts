import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIP, DEFAULT_SEND, newProject } from '../../../contracts/project';
import { refusal } from '../../../contracts/refusal';
import { companionSuite } from '../../../tests/host/companion-suite';
import { mainUnderTest } from '../../../tests/host/main-under-test';

const suite = companionSuite({ PRO_MASTERS_PER_MONTH: '3', PRO_EXPORTS_PER_MONTH: '50' });
const { signedIn } = suite;

describe('projects', () => {
  const project = newProject('Song', 48000);

  it('main refuses save and open to a free user with the Refusal shape, before any dialog', async () => {
    const free = await signedIn('free');
    free.dialogs.save = path.join(free.dataDir, 'song.siberia');
    free.dialogs.open = path.join(free.dataDir, 'other.siberia');
    writeFileSync(free.dialogs.open, JSON.stringify(project));
    const refused = {
      ok: false,
      error: {
        code: 'refused',
        message: expect.any(String),
        refusal: refusal('upgrade_required', 'project_save'),
      },
    };
    expect(await free.main.dispatch('project.save', { project, saveAs: false }, true)).toEqual(refused);
    expect(await free.main.dispatch('project.save', { project, saveAs: true }, true)).toEqual(refused);
    expect(await free.main.dispatch('project.open', undefined, true)).toEqual(refused);
    // Locating a track's audio belongs to opening: refused too, before its dialog; and with no
    // project opened there is no audio to load.
    expect(await free.main.dispatch('project.locateAudio', { trackId: 't1' }, true)).toEqual(refused);
    expect(await free.main.dispatch('project.loadAudio', { trackId: 't1' }, true)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(existsSync(free.dialogs.save)).toBe(false);
    expect(free.main.settings.recentProjects()).toEqual([]);

    const out = mainUnderTest(suite.companion.url);
    out.dialogs.open = free.dialogs.open;
    expect(await out.main.dispatch('project.open', undefined, true)).toMatchObject({
      ok: false,
      error: { code: 'refused', refusal: refusal('signed_out', 'project_save') },
    });
  });

  it('offline past the pass, a Pro user is asked to reconnect to save or open', async () => {
    const pro = await signedIn('pro');
    pro.dialogs.open = path.join(pro.dataDir, 'song.siberia');
    writeFileSync(pro.dialogs.open, JSON.stringify(project));
    suite.companion.setReachable(false);
    try {
      await pro.main.entitlements.refresh();
      expect(await pro.main.dispatch('project.open', undefined, true)).toMatchObject({ ok: true });
      pro.clock.advance(8 * 24 * 3600_000);
      expect(await pro.main.dispatch('project.open', undefined, true)).toMatchObject({
        ok: false,
        error: {
          code: 'refused',
          refusal: {
            reason: 'offline_expired',
            feature: 'project_save',
            offlineUntil: pro.main.entitlements.state().offline?.until,
          },
        },
      });
    } finally {
      suite.companion.setReachable(true);
    }
  });

  it('saving and opening are for Pro; autosave and restore are for everyone', async () => {
    const free = await signedIn('free');
    const auto = await free.main.dispatch('project.autosave', { project }, true);
    expect(auto).toMatchObject({ ok: true });
    expect(await free.main.dispatch('project.restoreAutosave', undefined, true)).toMatchObject({
      ok: true,
      value: { project: { name: 'Song' } },
    });

    const pro = await signedIn('pro');
    pro.dialogs.save = path.join(pro.dataDir, 'song');
    // A project is a folder named for it, holding the project file (and its audio, none here).
    const saved = path.join(pro.dataDir, 'song', 'song.siberia');
    expect(await pro.main.dispatch('project.save', { project, saveAs: false }, true)).toEqual({
      ok: true,
      value: { path: saved, missing: [] },
    });
    pro.dialogs.open = saved;
    expect(await pro.main.dispatch('project.open', undefined, true)).toMatchObject({
      ok: true,
      value: { project, missing: [] },
    });
    expect(pro.main.settings.recentProjects()).toEqual([saved]);
    pro.dialogs.open = path.join(pro.dataDir, 'autosave-missing.json');
    expect(await pro.main.dispatch('project.open', undefined, true)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('keeps the session’s audio for everyone, by track id only, and drops what the session no longer has', async () => {
    const free = await signedIn('free');
    const bytes = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]);
    const track = (id: string) => ({
      id,
      name: id,
      source: { path: `${id}.wav` },
      gainDb: 0,
      pan: 0,
      mute: false,
      solo: false,
      startOffsetSec: 0,
      eq: {
        low: { gainDb: 0, freqHz: 120 },
        mid: { gainDb: 0, freqHz: 1000, q: 0.7 },
        high: { gainDb: 0, freqHz: 8000 },
      },
      compressor: { enabled: false, thresholdDb: -18, ratio: 3, attackMs: 10, releaseMs: 120, makeupDb: 0 },
      clip: DEFAULT_CLIP,
      send: DEFAULT_SEND,
    });
    for (const id of ['drums', 'bass'])
      expect(await free.main.dispatch('project.keepAudio', { trackId: id, data: bytes }, true)).toEqual({
        ok: true,
        value: { kept: true },
      });
    expect(await free.main.dispatch('project.recallAudio', { trackId: 'drums' }, true)).toEqual({
      ok: true,
      value: { trackId: 'drums', data: bytes },
    });
    expect(await free.main.dispatch('project.recallAudio', { trackId: 'never' }, true)).toEqual({
      ok: true,
      value: null,
    });
    // A path is not a track id: refused before anything is read or written.
    for (const trackId of ['../autosave.json', 'a/b', '', 'x'.repeat(65)]) {
      expect(await free.main.dispatch('project.keepAudio', { trackId, data: bytes }, true)).toMatchObject({
        ok: false,
        error: { code: 'validation_error' },
      });
    }
    expect(existsSync(path.join(free.dataDir, 'autosave.json'))).toBe(false);
    // The autosave of a session without "bass" lets its audio go.
    const parsed = await free.main.dispatch(
      'project.autosave',
      { project: { ...project, tracks: [track('drums')] } },
      true,
    );
    expect(parsed).toMatchObject({ ok: true });
    expect(await free.main.dispatch('project.recallAudio', { trackId: 'bass' }, true)).toEqual({
      ok: true,
      value: null,
    });
    expect(await free.main.dispatch('project.recallAudio', { trackId: 'drums' }, true)).toMatchObject({
      ok: true,
      value: { trackId: 'drums' },
    });
  });
});
