import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RENDER_PIECE_BYTES } from '../../../contracts/bridge';
import { companionSuite } from '../../../tests/host/companion-suite';
import type { MainUnderTest } from '../../../tests/host/main-under-test';
import { nodeFiles } from '../node-files';
import type { Files } from '../ports';

// A render written as it is encoded: one file, filled piece by piece under a hidden name beside the
// musician's choice, counted once when it takes its name; every other ending counts nothing and
// leaves nothing behind (nor touches a file it was to replace).
const suite = companionSuite({ PRO_EXPORTS_PER_MONTH: '50' });
const { signedIn, serverExports } = suite;

const piece = (...values: number[]) => new Uint8Array(values);

/** A Pro musician whose save dialog answers `name` in a fresh folder. */
async function proSavingTo(folderName: string, name = 'Song - mix.wav', opts?: { files?: Files }) {
  const t = await signedIn('pro', opts);
  const folder = path.join(t.dataDir, folderName);
  mkdirSync(folder, { recursive: true });
  t.dialogs.save = path.join(folder, name);
  return { t, folder, target: path.join(folder, name) };
}

const begin = (t: MainUnderTest, grantId: string, extra: object = {}) =>
  t.main.dispatch(
    'gate.beginRender',
    { grantId, kind: 'export', suggestedName: 'Song - mix.wav', format: 'wav24', ...extra },
    true,
  );
const write = (t: MainUnderTest, grantId: string, data: unknown, at?: number) =>
  t.main.dispatch('gate.writeRender', at === undefined ? { grantId, data } : { grantId, data, at }, true);
const finish = (t: MainUnderTest, grantId: string) => t.main.dispatch('gate.finishRender', { grantId }, true);

describe('gate: a render written as it is encoded', () => {
  it('fills a hidden file piece by piece, header last, and counts it once when it takes its name', async () => {
    const { t, folder, target } = await proSavingTo('whole');
    const grant = await t.main.gate.authorize('export');
    expect(await begin(t, grant.id)).toEqual({ ok: true, value: { path: target } });
    expect(t.dialogs.asked.at(-1)).toMatchObject({ name: 'Song - mix.wav' });
    for (const [i, data] of [piece(0, 0, 0, 0), piece(1, 2), piece(3)].entries()) {
      expect(await write(t, grant.id, data)).toEqual({ ok: true, value: { bytes: [4, 6, 7][i] } });
      // Nothing under the final name, nothing counted, until the render is finished.
      expect(readdirSync(folder).filter((f) => !f.startsWith('.'))).toEqual([]);
    }
    // The header, completed at the end, over the bytes already there.
    expect(await write(t, grant.id, piece(82, 73, 70, 70), 0)).toEqual({ ok: true, value: { bytes: 7 } });
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 1 });
    expect(await finish(t, grant.id)).toEqual({ ok: true, value: { path: target } });
    expect(readdirSync(folder)).toEqual(['Song - mix.wav']);
    expect([...readFileSync(target)]).toEqual([82, 73, 70, 70, 1, 2, 3]);
    expect(await serverExports(t)).toEqual({ used: 1, reserved: 0 });
    expect(t.main.entitlements.state().usage?.exports).toMatchObject({ used: 1, reserved: 0 });
    expect(t.main.gate.held()).toEqual([]);

    // Spent: no more pieces, no second count, no other file with the same grant.
    for (const again of [
      await write(t, grant.id, piece(4)),
      await finish(t, grant.id),
      await begin(t, grant.id),
      await t.main.dispatch(
        'gate.saveRender',
        { grantId: grant.id, data: piece(1), suggestedName: 'x.wav' },
        true,
      ),
    ])
      expect(again).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect([...readFileSync(target)]).toEqual([82, 73, 70, 70, 1, 2, 3]);
    expect(await serverExports(t)).toEqual({ used: 1, reserved: 0 });
  });

  it('a cancelled save dialog gives the reservation back and writes nothing', async () => {
    const { t, folder } = await proSavingTo('cancel');
    const grant = await t.main.gate.authorize('export');
    t.dialogs.save = null;
    expect(await begin(t, grant.id)).toEqual({
      ok: false,
      error: { code: 'cancelled', message: expect.stringContaining('nothing was counted') },
    });
    expect(readdirSync(folder)).toEqual([]);
    expect(t.main.gate.held()).toEqual([]);
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
    expect(await write(t, grant.id, piece(1))).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('a cancel mid-way gives the reservation back, removes the unfinished file, and leaves the file it was to replace', async () => {
    const { t, folder, target } = await proSavingTo('midway');
    writeFileSync(target, 'the export of last week');
    const grant = await t.main.gate.authorize('export');
    await begin(t, grant.id);
    await write(t, grant.id, piece(1, 2, 3));
    expect(readdirSync(folder)).toHaveLength(2);
    expect(await t.main.dispatch('gate.release', { grantId: grant.id }, true)).toEqual({
      ok: true,
      value: { released: true },
    });
    expect(readdirSync(folder)).toEqual(['Song - mix.wav']);
    expect(readFileSync(target, 'utf8')).toBe('the export of last week');
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
    expect(await finish(t, grant.id)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

    // Finished, the new file replaces the old one (the dialog asked the musician about it).
    const again = await t.main.gate.authorize('export');
    await begin(t, again.id);
    await write(t, again.id, piece(7, 7));
    expect(await finish(t, again.id)).toEqual({ ok: true, value: { path: target } });
    expect([...readFileSync(target)]).toEqual([7, 7]);
    expect(readdirSync(folder)).toEqual(['Song - mix.wav']);
  });

  it('a disk that fills mid-way gives the reservation back and leaves no file', async () => {
    let written = 0;
    // Node's own file port, whose writes fail once two pieces are in, as ENOSPC does.
    const files: Files = {
      ...nodeFiles,
      async begin(file) {
        const real = await nodeFiles.begin(file);
        return {
          ...real,
          async append(data) {
            if (++written > 2) {
              await real.discard();
              throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            }
            return real.append(data);
          },
        };
      },
    };
    const { t, folder } = await proSavingTo('full', 'Song - mix.wav', { files });
    const grant = await t.main.gate.authorize('export');
    await begin(t, grant.id);
    await write(t, grant.id, piece(1));
    await write(t, grant.id, piece(2));
    expect(await write(t, grant.id, piece(3))).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/disk is full|no space/i) },
    });
    expect(readdirSync(folder)).toEqual([]);
    expect(t.main.gate.held()).toEqual([]);
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
  });

  it('bad input is refused with a clear error and changes nothing; the render goes on', async () => {
    const { t, target } = await proSavingTo('bad');
    const grant = await t.main.gate.authorize('export');
    await begin(t, grant.id);
    await write(t, grant.id, piece(1, 2, 3));
    const refusals = [
      // Past what is written: a header patch only ever goes over bytes already there.
      [await write(t, grant.id, piece(9, 9), 2), /not written yet/],
      [await write(t, grant.id, piece(9), 3), /not written yet/],
      [await write(t, grant.id, piece(9), -1), /./],
      [await write(t, grant.id, piece(9), 0.5), /./],
      [await write(t, grant.id, 'AAAA'), /./],
      [await write(t, grant.id, [1, 2, 3]), /./],
      [await write(t, grant.id, new Uint8Array(MAX_RENDER_PIECE_BYTES + 1)), /64 MiB/],
      // The same grant cannot open a second file, nor stems.
      [await begin(t, grant.id), /already being written/],
      [
        await t.main.dispatch(
          'gate.beginStems',
          { grantId: grant.id, folderName: 'Song', format: 'wav24' },
          true,
        ),
        /already being written/,
      ],
    ] as const;
    for (const [answer, message] of refusals)
      expect(answer).toMatchObject({
        ok: false,
        error: { code: 'validation_error', message: expect.stringMatching(message) },
      });
    expect(t.main.gate.held()).toHaveLength(1);
    expect(await write(t, grant.id, piece(4))).toEqual({ ok: true, value: { bytes: 4 } });
    await finish(t, grant.id);
    expect([...readFileSync(target)]).toEqual([1, 2, 3, 4]);
    expect(await serverExports(t)).toEqual({ used: 1, reserved: 0 });
  });

  it('needs an unused grant of the kind it says: not a master grant for an export, not a made-up one', async () => {
    const { t, folder } = await proSavingTo('kinds');
    const master = await t.main.gate.authorize('master');
    expect(await begin(t, master.id)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await begin(t, 'grant_made_up')).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await write(t, 'grant_made_up', piece(1))).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect(await finish(t, master.id)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(readdirSync(folder)).toEqual([]);
    await t.main.gate.release(master.id);
  });

  it('quitting mid-way removes the unfinished file and counts nothing', async () => {
    const { t, folder } = await proSavingTo('quit');
    const grant = await t.main.gate.authorize('export');
    await begin(t, grant.id);
    await write(t, grant.id, piece(1, 2));
    expect(readdirSync(folder)).toHaveLength(1);
    await t.main.gate.releaseAll();
    expect(readdirSync(folder)).toEqual([]);
    expect(await serverExports(t)).toEqual({ used: 0, reserved: 0 });
  });

  it('two finishes sent at once count the render once', async () => {
    const { t, target } = await proSavingTo('twice');
    const grant = await t.main.gate.authorize('export');
    await begin(t, grant.id);
    await write(t, grant.id, piece(5));
    const answers = await Promise.all([finish(t, grant.id), finish(t, grant.id)]);
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.filter((a) => !a.ok)).toMatchObject([{ error: { code: 'unauthorized' } }]);
    expect([...readFileSync(target)]).toEqual([5]);
    expect(await serverExports(t)).toEqual({ used: 1, reserved: 0 });
  });

  it('pieces fired at once are written in the order they were sent', async () => {
    const { t, target } = await proSavingTo('order');
    const grant = await t.main.gate.authorize('export');
    await begin(t, grant.id);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => write(t, grant.id, new Uint8Array(1000 * (20 - i)).fill(i))),
    );
    expect(answers.every((a) => a.ok)).toBe(true);
    await finish(t, grant.id);
    const bytes = readFileSync(target);
    let o = 0;
    for (let i = 0; i < 20; i++) {
      const n = 1000 * (20 - i);
      expect(bytes.subarray(o, o + n).every((b) => b === i)).toBe(true);
      o += n;
    }
    expect(bytes.length).toBe(o);
  });
});
