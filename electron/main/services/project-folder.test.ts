import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  audioNameOf,
  fileNameOf,
  findName,
  looksLikeAudioBytes,
  projectLocation,
  uniqueName,
} from './project-folder';

const bytes = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

describe('project folder rules', () => {
  it('a project is a folder named for it, not nested again when chosen inside it', () => {
    expect(projectLocation('/music/My Song.siberia', '.siberia')).toEqual({
      folder: '/music/My Song',
      file: path.join('/music/My Song', 'My Song.siberia'),
    });
    expect(projectLocation('/music/My Song/My Song.siberia', '.siberia').folder).toBe('/music/My Song');
  });

  it('names a source by its file name on any system, and knows the paths it wrote', () => {
    expect(fileNameOf('C:\\Users\\me\\kick.wav')).toBe('kick.wav');
    expect(fileNameOf('stems/bass.flac')).toBe('bass.flac');
    expect(audioNameOf('Audio/bass.flac')).toBe('bass.flac');
    expect(audioNameOf('stems/bass.flac')).toBeNull();
    expect(audioNameOf('bass.flac')).toBeNull();
  });

  it('gives a free name, without regard to case, and never a path', () => {
    expect(uniqueName('Kick.wav', new Set())).toBe('Kick.wav');
    expect(uniqueName('Kick.wav', new Set(['kick.wav']))).toBe('Kick 2.wav');
    expect(uniqueName('Kick.wav', new Set(['Kick.wav', 'Kick 2.wav']))).toBe('Kick 3.wav');
    expect(uniqueName('../../etc/passwd', new Set())).toBe('passwd');
    expect(uniqueName('..', new Set())).toBe('audio');
    expect(findName(['Bass.WAV', 'bass.wav'], 'bass.wav')).toBe('bass.wav');
    expect(findName(['Bass.WAV'], 'bass.wav')).toBe('Bass.WAV');
    expect(findName(['Bass.WAV'], 'kick.wav')).toBeNull();
  });

  it('tells audio from other files by their first bytes', () => {
    for (const head of ['RIFF....WAVE', 'FORM....AIFF', 'fLaC', 'OggS', 'ID3\u0004', '....ftypM4A '])
      expect(looksLikeAudioBytes(bytes(head))).toBe(true);
    expect(looksLikeAudioBytes(new Uint8Array([0xff, 0xfb, 0x90, 0x00]))).toBe(true);
    for (const head of ['not audio', '{"format":', '', '\u0089PNG'])
      expect(looksLikeAudioBytes(bytes(head))).toBe(false);
  });
});
