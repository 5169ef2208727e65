import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, newTrack, type ProjectFile } from '../../../contracts/project';
import { companionSuite } from '../../../tests/host/companion-suite';
import type { MainUnderTest } from '../../../tests/host/main-under-test';
import { nodeFiles } from '../node-files';
import type { Files } from '../ports';

const suite = companionSuite({ PRO_MASTERS_PER_MONTH: '3', PRO_EXPORTS_PER_MONTH: '50' });

/** A real WAV made by sox: a sine of the given pitch, so each source has its own bytes. */
function wav(file: string, hz: number): Uint8Array {
  mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('sox', [
    '-n',
    '-r',
    '48000',
    '-c',
    '2',
    '-b',
    '16',
    file,
    'synth',
    '0.2',
    'sine',
    String(hz),
    'vol',
    '0.5',
  ]);
  return new Uint8Array(readFileSync(file));
}

const song = (tracks: ProjectFile['tracks']): ProjectFile => ({ ...newProject('My Song', 48000), tracks });

/** The project as version 2 wrote it (bare names as sources): no sends, no bus, no preset. */
function asVersion2(p: ProjectFile) {
  const { reverb: _r, export: _e, master, ...rest } = p;
  const { preset: _p, ...oldMaster } = master;
  return { ...rest, version: 2, master: oldMaster, tracks: p.tracks.map(({ send: _s, ...t }) => t) };
}

async function ok<T>(promise: Promise<unknown>): Promise<T> {
  const r = (await promise) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`bridge failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

/** Imports as the desk does: main keeps each track's bytes. */
async function keep(app: MainUnderTest, trackId: string, data: Uint8Array) {
  await ok(app.main.dispatch('project.keepAudio', { trackId, data }, true));
}

type Opened = { path: string; project: ProjectFile; missing: string[] };
async function openAt(app: MainUnderTest, file: string): Promise<Opened> {
  app.dialogs.open = file;
  return ok<Opened>(app.main.dispatch('project.open', undefined, true));
}
const load = (app: MainUnderTest, trackId: string) =>
  ok<{ name: string; data: Uint8Array }>(app.main.dispatch('project.loadAudio', { trackId }, true));

describe('projects that carry their audio', () => {
  it('save writes a folder: the project with relative paths and one copy of each source', async () => {
    const writes: string[] = [];
    const pro = await suite.signedIn('pro', {
      files: {
        ...nodeFiles,
        write: async (f, d) => {
          writes.push(f);
          await nodeFiles.write(f, d);
        },
      },
    });
    const src = path.join(pro.dataDir, 'imports');
    const drums = wav(path.join(src, 'drums.wav'), 100);
    const bass = wav(path.join(src, 'bass.wav'), 200);
    const other = wav(path.join(src, 'other', 'bass.wav'), 300);
    await keep(pro, 'drums', drums);
    await keep(pro, 'bass', bass);
    await keep(pro, 'bass2', bass); // the same source on a second track
    await keep(pro, 'other', other); // another file that is also called bass.wav
    const project = song([
      newTrack('drums', 'Drums', 'drums.wav'),
      newTrack('bass', 'Bass', 'bass.wav'),
      newTrack('bass2', 'Bass double', 'bass.wav'),
      newTrack('other', 'Other bass', 'bass.wav'),
    ]);
    pro.dialogs.save = path.join(pro.dataDir, 'Songs', 'My Song.siberia');
    const saved = await ok<{ path: string; missing: string[] }>(
      pro.main.dispatch('project.save', { project, saveAs: false }, true),
    );
    const folder = path.join(pro.dataDir, 'Songs', 'My Song');
    expect(saved).toEqual({ path: path.join(folder, 'My Song.siberia'), missing: [] });
    expect(readdirSync(folder).sort()).toEqual(['Audio', 'My Song.siberia']);
    expect(readdirSync(path.join(folder, 'Audio')).sort()).toEqual(['bass 2.wav', 'bass.wav', 'drums.wav']);
    const written = JSON.parse(readFileSync(saved.path, 'utf8')) as ProjectFile;
    expect(written.tracks.map((t) => t.source.path)).toEqual([
      'Audio/drums.wav',
      'Audio/bass.wav',
      'Audio/bass.wav',
      'Audio/bass 2.wav',
    ]);
    expect(new Uint8Array(readFileSync(path.join(folder, 'Audio', 'bass 2.wav')))).toEqual(other);
    expect(new Uint8Array(readFileSync(path.join(folder, 'Audio', 'drums.wav')))).toEqual(drums);

    // Saved again ("Save as" onto itself): nothing copied twice, nothing renamed.
    writes.length = 0;
    pro.dialogs.save = saved.path;
    await ok(pro.main.dispatch('project.save', { project: written, saveAs: true }, true));
    expect(writes).toEqual([saved.path]);
    // And "Save" of the desk's project as it was (bare names): the copies there are recognised.
    writes.length = 0;
    await ok(pro.main.dispatch('project.save', { project, saveAs: false }, true));
    expect(writes).toEqual([saved.path]);
    expect(JSON.parse(readFileSync(saved.path, 'utf8'))).toEqual(written);
    expect(readdirSync(path.join(folder, 'Audio')).sort()).toEqual(['bass 2.wav', 'bass.wav', 'drums.wav']);
  });

  it('save as into another place copies everything; the moved folder opens with all its audio', async () => {
    const pro = await suite.signedIn('pro');
    const drums = wav(path.join(pro.dataDir, 'in', 'Drums.wav'), 110);
    const voice = wav(path.join(pro.dataDir, 'in', 'Voice.wav'), 220);
    await keep(pro, 'd', drums);
    await keep(pro, 'v', voice);
    const project = song([newTrack('d', 'Drums', 'Drums.wav'), newTrack('v', 'Voice', 'Voice.wav')]);
    pro.dialogs.save = path.join(pro.dataDir, 'first', 'My Song.siberia');
    const first = await ok<{ path: string }>(
      pro.main.dispatch('project.save', { project, saveAs: false }, true),
    );
    pro.dialogs.save = path.join(pro.dataDir, 'elsewhere', 'Copy.siberia');
    const copy = await ok<{ path: string }>(
      pro.main.dispatch('project.save', { project, saveAs: true }, true),
    );
    expect(copy.path).toBe(path.join(pro.dataDir, 'elsewhere', 'Copy', 'Copy.siberia'));
    expect(readdirSync(path.join(pro.dataDir, 'elsewhere', 'Copy', 'Audio')).sort()).toEqual([
      'Drums.wav',
      'Voice.wav',
    ]);
    // "Save" now goes to the copy.
    await ok(pro.main.dispatch('project.save', { project, saveAs: false }, true));
    expect(pro.dialogs.openAsked).toEqual([]);

    // The first folder moves to another machine (here: another app, another place).
    const moved = path.join(pro.dataDir, 'usb', 'My Song');
    mkdirSync(path.dirname(moved), { recursive: true });
    renameSync(path.dirname(first.path), moved);
    const fresh = await suite.signedIn('pro');
    const opened = await openAt(fresh, path.join(moved, 'My Song.siberia'));
    expect(opened.missing).toEqual([]);
    expect(await load(fresh, 'd')).toMatchObject({ name: 'Drums.wav', data: drums });
    expect(await load(fresh, 'v')).toMatchObject({ name: 'Voice.wav', data: voice });
    // Loaded audio is kept for the autosave, as an import is.
    expect(await ok(fresh.main.dispatch('project.recallAudio', { trackId: 'v' }, true))).toMatchObject({
      data: voice,
    });
  });

  it('an older bare-name project opens with the stems beside it, or in its stems folder', async () => {
    const pro = await suite.signedIn('pro');
    const dir = path.join(pro.dataDir, 'old');
    const kick = wav(path.join(dir, 'kick.wav'), 60);
    const keys = wav(path.join(dir, 'stems', 'keys.wav'), 440);
    const old = asVersion2(
      song([newTrack('k', 'Kick', 'kick.wav'), newTrack('p', 'Keys', 'C:\\Users\\me\\Music\\keys.wav')]),
    );
    writeFileSync(path.join(dir, 'Old.siberia'), JSON.stringify(old));
    const opened = await openAt(pro, path.join(dir, 'Old.siberia'));
    expect(opened.missing).toEqual([]);
    expect(opened.project.version).toBe(3);
    expect((await load(pro, 'k')).data).toEqual(kick);
    expect((await load(pro, 'p')).data).toEqual(keys);
    // Saved again, it becomes a folder project beside the old file, which stays as it was.
    const saved = await ok<{ path: string }>(
      pro.main.dispatch('project.save', { project: opened.project, saveAs: false }, true),
    );
    expect(saved.path).toBe(path.join(dir, 'Old', 'Old.siberia'));
    expect(readdirSync(path.join(dir, 'Old', 'Audio')).sort()).toEqual(['keys.wav', 'kick.wav']);
    expect(JSON.parse(readFileSync(path.join(dir, 'Old.siberia'), 'utf8'))).toEqual(old);
  });

  it('what is still missing is located by the musician, relinking the tracks whose files share that folder', async () => {
    const pro = await suite.signedIn('pro');
    const dir = path.join(pro.dataDir, 'lost');
    const found = path.join(pro.dataDir, 'found');
    const a = wav(path.join(found, 'a.wav'), 100);
    wav(path.join(found, 'b.wav'), 200);
    wav(path.join(pro.dataDir, 'elsewhere', 'c.wav'), 300);
    writeFileSync(path.join(found, 'notes.txt'), 'not audio');
    mkdirSync(dir, { recursive: true });
    const project = song([
      newTrack('a', 'A', 'a.wav'),
      newTrack('b', 'B', 'b.wav'),
      newTrack('c', 'C', 'c.wav'),
    ]);
    writeFileSync(path.join(dir, 'Lost.siberia'), JSON.stringify(asVersion2(project)));
    const opened = await openAt(pro, path.join(dir, 'Lost.siberia'));
    expect(opened.missing).toEqual(['a', 'b', 'c']);
    expect(await pro.main.dispatch('project.loadAudio', { trackId: 'a' }, true)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });

    // Cancelled, or not audio: nothing relinked.
    pro.dialogs.open = null;
    expect(await pro.main.dispatch('project.locateAudio', { trackId: 'a' }, true)).toMatchObject({
      ok: false,
      error: { code: 'cancelled' },
    });
    pro.dialogs.open = path.join(found, 'notes.txt');
    expect(await pro.main.dispatch('project.locateAudio', { trackId: 'a' }, true)).toMatchObject({
      ok: false,
      error: { code: 'validation_error', message: 'notes.txt is not an audio file.' },
    });
    pro.dialogs.open = path.join(found, 'gone.wav');
    expect(await pro.main.dispatch('project.locateAudio', { trackId: 'a' }, true)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await pro.main.dispatch('project.loadAudio', { trackId: 'a' }, true)).toMatchObject({ ok: false });

    pro.dialogs.open = path.join(found, 'a.wav');
    expect(await ok(pro.main.dispatch('project.locateAudio', { trackId: 'a' }, true))).toEqual({
      relinked: ['a', 'b'],
    });
    expect(pro.dialogs.openAsked.slice(-1)).toEqual(['audio']);
    expect((await load(pro, 'a')).data).toEqual(a);
    expect(await load(pro, 'b')).toMatchObject({ name: 'b.wav' });
    // A track not in the project cannot be located; one found may be pointed at another file.
    expect(await pro.main.dispatch('project.locateAudio', { trackId: 'zz' }, true)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    pro.dialogs.open = path.join(found, 'b.wav');
    expect(await ok(pro.main.dispatch('project.locateAudio', { trackId: 'a' }, true))).toEqual({
      relinked: ['a'],
    });
    expect(await load(pro, 'a')).toMatchObject({ name: 'b.wav' });
    pro.dialogs.open = path.join(found, 'a.wav');
    await ok(pro.main.dispatch('project.locateAudio', { trackId: 'a' }, true));
    // Saved, the located audio travels with the project; the one still missing is said.
    pro.dialogs.save = path.join(dir, 'Lost.siberia');
    const saved = await ok<{ path: string; missing: string[] }>(
      pro.main.dispatch('project.save', { project: opened.project, saveAs: true }, true),
    );
    expect(saved.missing).toEqual(['c']);
    expect(readdirSync(path.join(dir, 'Lost', 'Audio')).sort()).toEqual(['a.wav', 'b.wav']);
    const written = JSON.parse(readFileSync(saved.path, 'utf8')) as ProjectFile;
    expect(written.tracks.map((t) => t.source.path)).toEqual(['Audio/a.wav', 'Audio/b.wav', 'c.wav']);
  });

  it('a project naming a file that is not audio (here a key) never hands it over nor copies it', async () => {
    const pro = await suite.signedIn('pro');
    const dir = path.join(pro.dataDir, 'shared');
    const secret = path.join(pro.dataDir, 'secret', 'id_ed25519');
    mkdirSync(path.dirname(secret), { recursive: true });
    writeFileSync(secret, '-----BEGIN OPENSSH PRIVATE KEY-----\n');
    mkdirSync(dir, { recursive: true });
    const project = song([newTrack('k', 'Key', '../secret/id_ed25519'), newTrack('a', 'Abs', secret)]);
    writeFileSync(path.join(dir, 'Shared.siberia'), JSON.stringify(project));
    const opened = await openAt(pro, path.join(dir, 'Shared.siberia'));
    expect(opened.missing).toEqual([]); // the files are there…
    for (const trackId of ['k', 'a'])
      expect(await pro.main.dispatch('project.loadAudio', { trackId }, true)).toMatchObject({
        ok: false,
        error: { code: 'validation_error', message: 'id_ed25519 is not an audio file.' },
      });
    const reopened = await openAt(pro, path.join(dir, 'Shared.siberia'));
    expect(reopened.missing).toEqual([]);
    pro.dialogs.save = path.join(dir, 'Shared.siberia');
    const saved = await ok<{ path: string; missing: string[] }>(
      pro.main.dispatch('project.save', { project, saveAs: false }, true),
    );
    // …but are not audio: saved without them, nothing copied.
    expect(saved.missing).toEqual(['k', 'a']);
    expect(existsSync(path.join(dir, 'Shared', 'Audio'))).toBe(false);
  });

  it('a damaged or absent project file gives a clear error and changes nothing', async () => {
    const pro = await suite.signedIn('pro');
    const drums = wav(path.join(pro.dataDir, 'in', 'drums.wav'), 90);
    await keep(pro, 'd', drums);
    const project = song([newTrack('d', 'Drums', 'drums.wav')]);
    pro.dialogs.save = path.join(pro.dataDir, 'Good.siberia');
    const good = await ok<{ path: string }>(
      pro.main.dispatch('project.save', { project, saveAs: false }, true),
    );
    const damaged = path.join(pro.dataDir, 'Damaged.siberia');
    writeFileSync(damaged, '{"format": "siberia-mix", "version": 3, "tracks": [');
    const wrong = path.join(pro.dataDir, 'Wrong.siberia');
    writeFileSync(wrong, JSON.stringify({ ...project, tracks: [{ ...project.tracks[0], pan: 9 }] }));
    for (const [file, code, message] of [
      [damaged, 'validation_error', /Damaged\.siberia is not a Siberia Mix project/],
      [path.join(pro.dataDir, 'Absent.siberia'), 'not_found', /Absent\.siberia cannot be read/],
      [wrong, 'validation_error', /pan/],
    ] as const) {
      pro.dialogs.open = file;
      expect(await pro.main.dispatch('project.open', undefined, true)).toMatchObject({
        ok: false,
        error: { code, message: expect.stringMatching(message) },
      });
    }
    // Still the project that was open: "Save" goes where it went, its audio still loads.
    expect(await ok(pro.main.dispatch('project.save', { project, saveAs: false }, true))).toMatchObject({
      path: good.path,
    });
    expect(pro.main.settings.recentProjects()).toEqual([good.path]);
  });

  it('a full disk while saving leaves the saved project as it was, and says so', async () => {
    let full = false;
    const files: Files = {
      ...nodeFiles,
      async write(file, data) {
        if (full && data.byteLength > 0) {
          // What Node gives when the disk fills: the partial file is removed by the port.
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        await nodeFiles.write(file, data);
      },
    };
    const pro = await suite.signedIn('pro', { files });
    const drums = wav(path.join(pro.dataDir, 'in', 'drums.wav'), 90);
    const voice = wav(path.join(pro.dataDir, 'in', 'voice.wav'), 180);
    await keep(pro, 'd', drums);
    await keep(pro, 'v', voice);
    const before = song([newTrack('d', 'Drums', 'drums.wav')]);
    pro.dialogs.save = path.join(pro.dataDir, 'Full.siberia');
    const saved = await ok<{ path: string }>(
      pro.main.dispatch('project.save', { project: before, saveAs: false }, true),
    );
    const folder = path.dirname(saved.path);
    const bytesBefore = readFileSync(saved.path);

    full = true;
    const after = song([newTrack('d', 'Drums', 'drums.wav'), newTrack('v', 'Voice', 'voice.wav')]);
    expect(await pro.main.dispatch('project.save', { project: after, saveAs: false }, true)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/disk is full.*saved one is unchanged/) },
    });
    expect(readFileSync(saved.path)).toEqual(bytesBefore);
    expect(readdirSync(path.join(folder, 'Audio'))).toEqual(['drums.wav']);
    expect(existsSync(path.join(folder, 'Audio', 'voice.wav'))).toBe(false);

    // The disk fills only at the project file, after the new audio was copied: that copy goes too.
    let writes = 0;
    files.write = async (file, data) => {
      if (++writes === 2) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      await nodeFiles.write(file, data);
    };
    expect(await pro.main.dispatch('project.save', { project: after, saveAs: false }, true)).toMatchObject({
      ok: false,
    });
    expect(readFileSync(saved.path)).toEqual(bytesBefore);
    expect(readdirSync(path.join(folder, 'Audio'))).toEqual(['drums.wav']);
    const reopened = await openAt(pro, saved.path);
    expect(reopened.project.tracks.map((t) => t.id)).toEqual(['d']);
  });
});
