import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { companionSuite } from '../../../tests/host/companion-suite';
import { renderFilter, stemFile, withExtension } from './gate';

// Stems are one export: one folder, several files, counted once; every other ending counts nothing
// and leaves no folder behind.
const suite = companionSuite({ PRO_EXPORTS_PER_MONTH: '50' });
const { signedIn, serverExports } = suite;

const bytes = (n: number) => new Uint8Array([82, 73, 70, 70, n]);

/** A Pro musician whose folder dialog answers a fresh, empty folder. */
async function proWithFolder(name: string) {
  const t = await signedIn('pro');
  const parent = path.join(t.dataDir, name);
  mkdirSync(parent, { recursive: true });
  t.dialogs.folder = parent;
  return { t, parent };
}

describe('gate: stems', () => {
  it('writes every stem into one new folder and counts the export once', async () => {
    const { t, parent } = await proWithFolder('three');
    const grant = await t.main.gate.authorize('export');
    const begun = await t.main.dispatch(
      'gate.beginStems',
      { grantId: grant.id, folderName: 'My song - stems', format: 'flac24' },
      true,
    );
    expect(begun).toEqual({ ok: true, value: { folder: path.join(parent, 'My song - stems') } });
    for (const [i, name] of ['01 Drums', '02 Bass', '03 Voice'].entries()) {
      const written = await t.main.dispatch(
        'gate.writeStem',
        { grantId: grant.id, name, data: bytes(i) },
        true,
      );
      expect(written).toEqual({ ok: true, value: { file: `${name}.flac` } });
      // Nothing under the final name, nothing counted, until the last stem is in.
      expect(readdirSync(parent).filter((f) => !f.startsWith('.'))).toEqual([]);
    }
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 1 });
    const finished = await t.main.dispatch('gate.finishStems', { grantId: grant.id }, true);
    const folder = path.join(parent, 'My song - stems');
    expect(finished).toEqual({
      ok: true,
      value: { path: folder, files: ['01 Drums.flac', '02 Bass.flac', '03 Voice.flac'] },
    });
    expect(readdirSync(parent)).toEqual(['My song - stems']);
    expect(readdirSync(folder).sort()).toEqual(['01 Drums.flac', '02 Bass.flac', '03 Voice.flac']);
    expect(new Uint8Array(readFileSync(path.join(folder, '02 Bass.flac')))).toEqual(bytes(1));
    expect(await serverExports(t)).toEqual({ used: 1, reserved: 0 });
    expect(t.main.entitlements.state().usage?.exports).toMatchObject({ used: 1, reserved: 0 });
    // The grant is spent: no more stems, no second count, no single file with it.
    expect(
      await t.main.dispatch('gate.writeStem', { grantId: grant.id, name: '04 More', data: bytes(4) }, true),
    ).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await t.main.dispatch('gate.finishStems', { grantId: grant.id }, true)).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect(await serverExports(t)).toEqual({ used: 1, reserved: 0 });

    // A second stem export of the same song does not merge into or replace the first folder.
    const again = await t.main.gate.authorize('export');
    await t.main.gate.beginStems({ grantId: again.id, folderName: 'My song - stems', format: 'wav16' });
    await t.main.gate.writeStem({ grantId: again.id, name: '01 Drums', data: bytes(9) });
    const second = await t.main.gate.finishStems(again.id);
    expect(second.path).toBe(path.join(parent, 'My song - stems 2'));
    expect(readdirSync(folder).sort()).toEqual(['01 Drums.flac', '02 Bass.flac', '03 Voice.flac']);
    expect(await serverExports(t)).toEqual({ used: 2, reserved: 0 });
  });

  it('writes each stem piece by piece, header last, one stem at a time, and counts the export once', async () => {
    const { t, parent } = await proWithFolder('pieces');
    const grant = await t.main.gate.authorize('export');
    await t.main.gate.beginStems({ grantId: grant.id, folderName: 'Song', format: 'wav24' });
    const piece = (name: string, data: Uint8Array, extra: { at?: number; more?: boolean } = {}) =>
      t.main.dispatch('gate.writeStem', { grantId: grant.id, name, data, ...extra }, true);
    expect(await piece('01 Drums', bytes(0), { more: true })).toEqual({
      ok: true,
      value: { file: '01 Drums.wav' },
    });
    expect(await piece('01 Drums', new Uint8Array([7, 7]), { more: true })).toMatchObject({ ok: true });
    // Another stem, or the end of the export, while this one is open: refused, nothing changes.
    for (const refused of [
      await piece('02 Bass', bytes(1)),
      await t.main.dispatch('gate.finishStems', { grantId: grant.id }, true),
      await piece('01 Drums', bytes(9), { at: 6, more: true }),
    ])
      expect(refused).toMatchObject({ ok: false, error: { code: 'validation_error' } });
    // The header over the first bytes ends the stem.
    expect(await piece('01 Drums', new Uint8Array([1, 2]), { at: 0 })).toMatchObject({ ok: true });
    // A stem cannot begin with bytes over nothing, nor be written again once whole.
    expect(await piece('02 Bass', bytes(1), { at: 0, more: true })).toMatchObject({
      ok: false,
      error: { code: 'validation_error' },
    });
    expect(await piece('01 Drums', bytes(1), { more: true })).toMatchObject({
      ok: false,
      error: { code: 'validation_error' },
    });
    expect(await piece('02 Bass', bytes(1), { more: true })).toMatchObject({ ok: true });
    expect(await piece('02 Bass', bytes(2))).toMatchObject({ ok: true });
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 1 });
    const saved = await t.main.gate.finishStems(grant.id);
    expect(readdirSync(parent)).toEqual(['Song']);
    expect(readdirSync(saved.path).sort()).toEqual(['01 Drums.wav', '02 Bass.wav']);
    expect([...readFileSync(path.join(saved.path, '01 Drums.wav'))]).toEqual([1, 2, 70, 70, 0, 7, 7]);
    expect([...readFileSync(path.join(saved.path, '02 Bass.wav'))]).toEqual([...bytes(1), ...bytes(2)]);
    expect(await serverExports(t)).toEqual({ used: 1, reserved: 0 });
  });

  it('a cancel in the middle of a stem removes the folder with its unfinished file, and counts nothing', async () => {
    const { t, parent } = await proWithFolder('mid-stem');
    const grant = await t.main.gate.authorize('export');
    await t.main.gate.beginStems({ grantId: grant.id, folderName: 'Song', format: 'flac24' });
    await t.main.gate.writeStem({ grantId: grant.id, name: '01 Drums', data: bytes(1) });
    await t.main.gate.writeStem({ grantId: grant.id, name: '02 Bass', data: bytes(2), more: true });
    expect(readdirSync(parent)).toHaveLength(1);
    await t.main.gate.release(grant.id);
    expect(readdirSync(parent)).toEqual([]);
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
  });

  it('a cancelled folder dialog gives the reservation back and writes nothing', async () => {
    const { t, parent } = await proWithFolder('cancel');
    const grant = await t.main.gate.authorize('export');
    t.dialogs.folder = null;
    expect(
      await t.main.dispatch(
        'gate.beginStems',
        { grantId: grant.id, folderName: 'Song', format: 'wav24' },
        true,
      ),
    ).toEqual({
      ok: false,
      error: { code: 'cancelled', message: expect.stringContaining('nothing was counted') },
    });
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
    expect(t.main.gate.held()).toEqual([]);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a cancel mid-way (gate.release) gives the reservation back and removes the unfinished folder', async () => {
    const { t, parent } = await proWithFolder('midway');
    const grant = await t.main.gate.authorize('export');
    await t.main.gate.beginStems({ grantId: grant.id, folderName: 'Song', format: 'mp3-320' });
    await t.main.gate.writeStem({ grantId: grant.id, name: '01 Drums', data: bytes(1) });
    expect(readdirSync(parent)).toHaveLength(1);
    expect(await t.main.dispatch('gate.release', { grantId: grant.id }, true)).toEqual({
      ok: true,
      value: { released: true },
    });
    expect(readdirSync(parent)).toEqual([]);
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
    expect(await t.main.dispatch('gate.finishStems', { grantId: grant.id }, true)).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
  });

  it('a write that fails mid-way gives the reservation back and leaves no folder', async () => {
    const { t, parent } = await proWithFolder('fails');
    const grant = await t.main.gate.authorize('export');
    await t.main.gate.beginStems({ grantId: grant.id, folderName: 'Song', format: 'wav24' });
    await t.main.gate.writeStem({ grantId: grant.id, name: '01 Drums', data: bytes(1) });
    // The second file's place is taken by a folder (as a full disk or a yanked drive would fail it).
    const [partial] = readdirSync(parent);
    mkdirSync(path.join(parent, partial as string, '02 Bass.wav'));
    const failed = await t.main.dispatch(
      'gate.writeStem',
      { grantId: grant.id, name: '02 Bass', data: bytes(2) },
      true,
    );
    expect(failed).toMatchObject({ ok: false });
    expect(readdirSync(parent)).toEqual([]);
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
    expect(t.main.gate.held()).toEqual([]);
  });

  it('a hostile name cannot leave the folder; bad input is refused and changes nothing', async () => {
    const { t, parent } = await proWithFolder('hostile');
    const grant = await t.main.gate.authorize('export');
    const begun = await t.main.gate.beginStems({
      grantId: grant.id,
      folderName: '../../outside',
      format: 'wav16',
    });
    expect(path.dirname(begun.folder)).toBe(parent);
    for (const name of ['../../../etc/escape', '..', '/abs/path', 'C:\\Windows\\evil', '.hidden'])
      await t.main.gate.writeStem({ grantId: grant.id, name, data: bytes(0) });
    // The same name twice would replace a stem: refused, the first one kept.
    expect(
      await t.main.dispatch('gate.writeStem', { grantId: grant.id, name: '..', data: bytes(7) }, true),
    ).toMatchObject({ ok: false, error: { code: 'validation_error' } });
    // Not bytes: refused by the contract.
    expect(
      await t.main.dispatch('gate.writeStem', { grantId: grant.id, name: 'x', data: 'AAAA' }, true),
    ).toMatchObject({ ok: false, error: { code: 'validation_error' } });
    const saved = await t.main.gate.finishStems(grant.id);
    expect(readdirSync(parent)).toEqual([path.basename(saved.path)]);
    const files = readdirSync(saved.path).sort();
    expect(files).toEqual(saved.files.slice().sort());
    expect(files).toHaveLength(5);
    for (const file of files) {
      expect(file).not.toMatch(/[\\/]/);
      expect(file.startsWith('.')).toBe(false);
      expect(file.endsWith('.wav')).toBe(true);
    }
    expect(new Uint8Array(readFileSync(path.join(saved.path, 'Track.wav')))).toEqual(bytes(0));
    expect(await serverExports(t)).toEqual({ used: 1, reserved: 0 });
  });

  it('stems need an export grant of their own: not a master grant, not one already used, not none', async () => {
    const { t } = await proWithFolder('kinds');
    const master = await t.main.gate.authorize('master');
    expect(
      await t.main.dispatch(
        'gate.beginStems',
        { grantId: master.id, folderName: 'Song', format: 'wav24' },
        true,
      ),
    ).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(
      await t.main.dispatch('gate.writeStem', { grantId: 'grant_made_up', name: 'x', data: bytes(0) }, true),
    ).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const grant = await t.main.gate.authorize('export');
    await t.main.gate.beginStems({ grantId: grant.id, folderName: 'Song', format: 'wav24' });
    // Finishing with nothing written is refused; the stems' grant cannot also save a single file.
    expect(await t.main.dispatch('gate.finishStems', { grantId: grant.id }, true)).toMatchObject({
      ok: false,
      error: { code: 'validation_error' },
    });
    t.dialogs.save = path.join(t.dataDir, 'mix.wav');
    expect(
      await t.main.dispatch(
        'gate.saveRender',
        { grantId: grant.id, data: bytes(0), suggestedName: 'mix.wav' },
        true,
      ),
    ).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(
      await t.main.dispatch(
        'gate.beginStems',
        { grantId: grant.id, folderName: 'Song', format: 'wav24' },
        true,
      ),
    ).toMatchObject({ ok: false, error: { code: 'validation_error' } });
    await t.main.gate.release(grant.id);
    await t.main.gate.release(master.id);
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
  });
});

describe('gate: the save dialog follows the format', () => {
  it('offers the format’s filter and extension', async () => {
    const t = await signedIn('pro');
    for (const [format, ext] of [
      ['mp3-v0', 'mp3'],
      ['flac16', 'flac'],
      ['wav32f', 'wav'],
    ] as const) {
      const grant = await t.main.gate.authorize('export');
      t.dialogs.save = path.join(t.dataDir, `mix.${ext}`);
      await t.main.gate.saveRender({
        grantId: grant.id,
        data: bytes(0),
        suggestedName: 'Song - mix.wav',
        format,
      });
      expect(t.dialogs.asked.at(-1)).toEqual({
        name: `Song - mix.${ext}`,
        filter: { name: `${ext.toUpperCase()} (.${ext})`, extensions: [ext] },
      });
    }
    // Without a format: WAV, as before.
    const grant = await t.main.gate.authorize('export');
    t.dialogs.save = path.join(t.dataDir, 'plain.wav');
    await t.main.gate.saveRender({ grantId: grant.id, data: bytes(0), suggestedName: 'Song - mix' });
    expect(t.dialogs.asked.at(-1)).toEqual({ name: 'Song - mix.wav', filter: renderFilter('wav24') });
  });

  it('names: extensions replaced, not doubled; stems keep no folder or hiding dot', () => {
    expect(withExtension('a.WAV', 'mp3-320')).toBe('a.mp3');
    expect(withExtension('a.flac', 'flac24')).toBe('a.flac');
    expect(withExtension('take.1', 'wav16')).toBe('take.1.wav');
    expect(stemFile('../x', 'wav')).toBe('_x.wav');
    expect(stemFile('...', 'mp3')).toBe('Track.mp3');
    expect(stemFile('01 Voix lead', 'flac')).toBe('01 Voix lead.flac');
  });
});
