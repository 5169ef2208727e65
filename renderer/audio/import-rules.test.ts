import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import {
  decoderFor,
  importReason,
  looksLikeAudio,
  recoveryNotice,
  sourceFileName,
  trackNameFromFile,
  webAudioReason,
} from './import-rules';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('import rules', () => {
  it('WAV and AIFF go to the engine, the rest to Web Audio', () => {
    expect(decoderFor(bytes('RIFF....WAVE'))).toBe('engine');
    expect(decoderFor(bytes('FORM....AIFF'))).toBe('engine');
    expect(decoderFor(bytes('ID3\u0004'))).toBe('webaudio');
    expect(decoderFor(bytes('fLaC'))).toBe('webaudio');
    expect(decoderFor(new Uint8Array(0))).toBe('webaudio');
  });
  it('recognises audio by type or extension', () => {
    expect(looksLikeAudio({ name: 'take.FLAC', type: '' })).toBe(true);
    expect(looksLikeAudio({ name: 'x', type: 'audio/ogg' })).toBe(true);
    expect(looksLikeAudio({ name: 'notes.txt', type: 'text/plain' })).toBe(false);
  });
  it('names a track after its file', () => {
    expect(trackNameFromFile('Lead Vocal.final.wav')).toBe('Lead Vocal.final');
    expect(trackNameFromFile('.wav')).toBe('.wav');
  });
  it('every engine error code has words; unknown ones read "cannot read"', () => {
    expect(importReason('truncated')).toBe('audioError.truncated');
    expect(importReason('whatever')).toBe('audioError.decode_failed');
  });

  it('a FLAC, MP3, Ogg or M4A Web Audio cannot decode is damaged, by its kind; anything else is not audio', () => {
    expect(webAudioReason(bytes('fLaC\u0000\u0000\u0000\u0022'))).toBe('audioError.damaged_flac');
    expect(webAudioReason(bytes('ID3\u0004\u0000'))).toBe('audioError.damaged_mp3');
    expect(webAudioReason(new Uint8Array([0xff, 0xfb, 0x90, 0x64]))).toBe('audioError.damaged_mp3');
    expect(webAudioReason(bytes('OggS\u0000\u0002'))).toBe('audioError.damaged_ogg');
    expect(webAudioReason(bytes('\u0000\u0000\u0000\u0020ftypM4A '))).toBe('audioError.damaged_m4a');
    for (const other of ['%PDF-1.7', 'hello', '', '\u0089PNG'])
      expect(webAudioReason(bytes(other))).toBe('audioError.decode_failed');
    const en = translator('en');
    expect(en(webAudioReason(bytes('fLaC')))).toBe(
      'the FLAC file is damaged (Web Audio could not decode it)',
    );
    expect(translator('fr')(webAudioReason(bytes('fLaC')))).toBe(
      'le fichier FLAC est endommagé (Web Audio n’a pas pu le décoder)',
    );
  });

  it('a recovered WAV or AIFF says how much was read against what the file says', () => {
    const s = (v: number) => `${v.toFixed(1)} s`;
    const en = translator('en');
    const said = (declaredFrames: number | null, read = 48000 * 50) =>
      (({ key, params }) => en(key, params))(recoveryNotice('take.wav', read, 48000, { declaredFrames }, s));
    expect(said(0)).toBe(
      '“take.wav”: recovered 50.0 s of a recording that was not finished (the file says 0.0 s).',
    );
    expect(said(null)).toBe(
      '“take.wav”: recovered 50.0 s of a recording that was not finished (the file gives no length).',
    );
    expect(said(48000 * 40, 48000 * 10.4)).toBe(
      '“take.wav”: read 10.4 s of the 40.0 s the file announces. The file was cut short: the rest is missing.',
    );
    const fr = recoveryNotice(
      'prise.aiff',
      44100 * 50,
      44100,
      { declaredFrames: 0 },
      (v) => `${v.toFixed(1).replace('.', ',')} s`,
    );
    expect(translator('fr')(fr.key, fr.params)).toBe(
      '« prise.aiff » : 50,0 s récupérées d’un enregistrement inachevé (le fichier annonce 0,0 s).',
    );
  });

  it('finds the file name of a source path written on any system', () => {
    expect(sourceFileName('Audio/Kick.wav')).toBe('Kick.wav');
    expect(sourceFileName('C:\\Stems\\Kick.wav')).toBe('Kick.wav');
    expect(sourceFileName('Kick.wav')).toBe('Kick.wav');
  });
});
