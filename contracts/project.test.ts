import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLIP,
  DEFAULT_MASTER,
  newTrack,
  PROJECT_FORMAT,
  PROJECT_VERSION,
  parseProjectFile,
  type ProjectFile,
} from './project';

const project: ProjectFile = {
  format: PROJECT_FORMAT,
  version: PROJECT_VERSION,
  name: 'Demo song',
  sampleRate: 48000,
  tracks: [
    newTrack('t1', 'Drums', 'stems/drums.wav'),
    { ...newTrack('t2', 'Bass', 'stems/bass.wav'), pan: -0.3, gainDb: -4 },
  ],
  master: DEFAULT_MASTER,
};

describe('project file', () => {
  it('round-trips through JSON', () => {
    expect(parseProjectFile(JSON.parse(JSON.stringify(project)))).toEqual({ ok: true, project });
  });
  it('migrates a version 1 file: every track gets a clip of its whole source without fades', () => {
    // A version 1 file as the app wrote it before clips existed.
    const v1 = {
      format: PROJECT_FORMAT,
      version: 1,
      name: 'Old song',
      sampleRate: 44100,
      tracks: project.tracks.map(({ clip: _clip, ...rest }) => rest),
      master: DEFAULT_MASTER,
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
    expect(parseProjectFile({ ...project, tracks: [{ ...project.tracks[0], gainDb: Number.NaN }] }).ok).toBe(
      false,
    );
  });
});
