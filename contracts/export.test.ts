import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPORT,
  estimateBytes,
  exportRate,
  type FORMATS,
  formatFor,
  MASTER_PRESETS,
  presetOf,
} from './export';

describe('export formats', () => {
  it('takes the format from the extension, refined by --bits or --mp3', () => {
    expect(formatFor('mix.wav'.slice(-3))).toBe('wav24');
    expect(formatFor('.WAV', { bits: '16' })).toBe('wav16');
    expect(formatFor('wav', { bits: '32f' })).toBe('wav32f');
    expect(formatFor('flac')).toBe('flac24');
    expect(formatFor('flac', { bits: '16' })).toBe('flac16');
    expect(formatFor('mp3')).toBe('mp3-320');
    expect(formatFor('mp3', { mp3: 'v0' })).toBe('mp3-v0');
    // Pairs that make no file we write.
    expect(formatFor('flac', { bits: '32f' })).toBeNull();
    expect(formatFor('mp3', { bits: '24' })).toBeNull();
    expect(formatFor('ogg')).toBeNull();
    expect(formatFor('')).toBeNull();
  });

  it('estimates sizes from the format, the rate and the number of stems', () => {
    const minute = (
      format: keyof typeof FORMATS,
      rate: 'session' | 44100 | 48000 = 'session',
      stems = false,
    ) => estimateBytes({ ...DEFAULT_EXPORT, format, rate, stems }, 60, 48000, 6);
    expect(minute('wav24')).toBe(48000 * 6 * 60);
    expect(minute('wav16', 44100)).toBe(44100 * 4 * 60);
    expect(minute('mp3-320')).toBe(40000 * 60);
    expect(minute('wav24', 'session', true)).toBe(48000 * 6 * 60 * 6);
    expect(minute('flac16')).toBeLessThan(minute('wav16'));
    expect(exportRate('session', 44100)).toBe(44100);
    expect(exportRate(48000, 44100)).toBe(48000);
  });

  it('knows each preset by its numbers, and anything else as custom', () => {
    for (const [id, p] of Object.entries(MASTER_PRESETS))
      expect(presetOf(p.targetLufs, p.ceilingDbtp)).toBe(id);
    expect(MASTER_PRESETS.broadcast).toEqual({ targetLufs: -23, ceilingDbtp: -1 });
    expect(presetOf(-14, -2)).toBe('custom');
  });
});
