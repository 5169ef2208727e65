import { describe, expect, it } from 'vitest';
import {
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
    expect(parseProjectFile({ ...project, version: 2 })).toMatchObject({
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
