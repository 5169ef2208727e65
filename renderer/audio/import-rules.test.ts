import { describe, expect, it } from 'vitest';
import { decoderFor, importReason, looksLikeAudio, trackNameFromFile } from './import-rules';

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
});
