import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT } from './export';
import {
  DEFAULT_CLIP,
  DEFAULT_MASTER,
  DEFAULT_REVERB_BUS,
  DEFAULT_SEND,
  newProject,
  newTrack,
  PROJECT_VERSION,
  parseProjectFile,
  type ProjectFile,
} from './project';

const project: ProjectFile = {
  ...newProject('Demo song', 48000),
  tracks: [
    newTrack('t1', 'Drums', 'stems/drums.wav'),
    { ...newTrack('t2', 'Bass', 'stems/bass.wav'), pan: -0.3, gainDb: -4 },
  ],
};

/** `project` as version 2 wrote it: no sends, no reverb bus, no preset, no export choices. */
function asVersion2(p: ProjectFile) {
  const { reverb: _r, export: _e, master, ...rest } = p;
  const { preset: _p, ...oldMaster } = master;
  return {
    ...rest,
    version: 2,
    master: oldMaster,
    tracks: p.tracks.map(({ send: _s, ...t }) => t),
  };
}

describe('project file', () => {
  it('round-trips through JSON', () => {
    expect(parseProjectFile(JSON.parse(JSON.stringify(project)))).toEqual({ ok: true, project });
  });
  it('migrates a version 1 file: every track gets a clip of its whole source without fades', () => {
    // A version 1 file as the app wrote it before clips existed.
    const v2 = asVersion2(project);
    const v1 = {
      ...v2,
      version: 1,
      name: 'Old song',
      sampleRate: 44100,
      tracks: v2.tracks.map(({ clip: _clip, ...rest }) => rest),
    };
    const read = parseProjectFile(JSON.parse(JSON.stringify(v1)));
    expect(read).toEqual({
      ok: true,
      project: { ...project, name: 'Old song', sampleRate: 44100, version: PROJECT_VERSION },
    });
    if (read.ok) expect(read.project.tracks[1]?.clip).toEqual(DEFAULT_CLIP);
    // A damaged version 1 file is still refused after the migration, naming what is wrong.
    const bad = { ...v1, tracks: [{ ...v1.tracks[0], pan: 3 }] };
    expect(parseProjectFile(bad)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/tracks\.0\.pan/),
    });
  });

  it('migrates a version 2 file: no sends, the default bus, the preset its numbers are, default export', () => {
    const v2 = asVersion2({ ...project, master: { ...DEFAULT_MASTER, targetLufs: -9, ceilingDbtp: -0.3 } });
    const read = parseProjectFile(JSON.parse(JSON.stringify(v2)));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.project.version).toBe(PROJECT_VERSION);
    expect(read.project.tracks.map((t) => t.send)).toEqual([DEFAULT_SEND, DEFAULT_SEND]);
    expect(read.project.tracks.every((t) => t.send.enabled === false)).toBe(true);
    expect(read.project.reverb).toEqual(DEFAULT_REVERB_BUS);
    expect(read.project.export).toEqual(DEFAULT_EXPORT);
    expect(read.project.master).toMatchObject({ preset: 'club', targetLufs: -9, ceilingDbtp: -0.3 });
    // Numbers that are no preset stay the musician's own.
    const odd = asVersion2({ ...project, master: { ...DEFAULT_MASTER, targetLufs: -12, ceilingDbtp: -1 } });
    const oddRead = parseProjectFile(JSON.parse(JSON.stringify(odd)));
    expect(oddRead.ok && oddRead.project.master.preset).toBe('custom');
    // Everything else passes through untouched.
    expect(read.project.tracks.map((t) => t.clip)).toEqual(project.tracks.map((t) => t.clip));
    expect(read.project.name).toBe('Demo song');
  });

  it('refuses a send, a reverb bus or export choices out of range', () => {
    const track = (patch: object) => ({ ...project, tracks: [{ ...project.tracks[0], ...patch }] });
    expect(parseProjectFile(track({ send: { ...DEFAULT_SEND, levelDb: 12 } })).ok).toBe(false);
    expect(parseProjectFile({ ...project, reverb: { ...DEFAULT_REVERB_BUS, decaySec: 0 } }).ok).toBe(false);
    expect(parseProjectFile({ ...project, export: { ...DEFAULT_EXPORT, format: 'ogg' } }).ok).toBe(false);
    expect(parseProjectFile({ ...project, export: { ...DEFAULT_EXPORT, rate: 22050 } }).ok).toBe(false);
    expect(parseProjectFile({ ...project, master: { ...DEFAULT_MASTER, preset: 'loud' } }).ok).toBe(false);
  });

  it('refuses a clip out of range', () => {
    const clip = (patch: object) => ({
      ...project,
      tracks: [{ ...project.tracks[0], clip: { ...DEFAULT_CLIP, ...patch } }],
    });
    expect(parseProjectFile(clip({ fadeInSec: -1 })).ok).toBe(false);
    expect(parseProjectFile(clip({ lengthSec: 0 })).ok).toBe(false);
    expect(parseProjectFile(clip({ fadeOutCurve: 'exponential' })).ok).toBe(false);
    expect(parseProjectFile(clip({ trimStartSec: 1.5, lengthSec: 2, fadeInSec: 0.2 })).ok).toBe(true);
  });

  it('new tracks do not share EQ objects', () => {
    const a = newTrack('a', 'A', 'a.wav');
    const b = newTrack('b', 'B', 'b.wav');
    a.eq.low.gainDb = 6;
    expect(b.eq.low.gainDb).toBe(0);
  });
  it('refuses something that is not a project, a newer version, and damaged values', () => {
    expect(parseProjectFile(null)).toMatchObject({ ok: false });
    expect(parseProjectFile({ format: 'ableton' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not a Siberia Mix project/),
    });
    expect(parseProjectFile({ ...project, version: PROJECT_VERSION + 1 })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/newer/),
    });
    const badPan = { ...project, tracks: [{ ...project.tracks[0], pan: 3 }] };
    expect(parseProjectFile(badPan)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/tracks\.0\.pan/),
    });
    expect(parseProjectFile({ ...project, sampleRate: 22050 }).ok).toBe(false);
    expect(parseProjectFile({ ...project, master: { ...DEFAULT_MASTER, targetLufs: -5 } }).ok).toBe(false);
    expect(parseProjectFile({ ...project, master: { ...DEFAULT_MASTER, targetLufs: -31 } }).ok).toBe(false);
    expect(parseProjectFile({ ...project, tracks: [{ ...project.tracks[0], gainDb: Number.NaN }] }).ok).toBe(
      false,
    );
  });
});
