import { describe, expect, it } from 'vitest';
import { TRACK_PALETTE, trackColour } from './track-colour';

describe('track colours', () => {
  it('are stable for an id and spread over the palette', () => {
    expect(trackColour('abc')).toBe(trackColour('abc'));
    const used = new Set(Array.from({ length: 200 }, () => trackColour(crypto.randomUUID())));
    expect(used.size).toBe(TRACK_PALETTE.length);
  });
});
