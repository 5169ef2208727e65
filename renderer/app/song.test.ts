import { describe, expect, it } from 'vitest';
import { newTrack } from '../../contracts/project';
import { songDuration, timeAt } from './song';

describe('song timeline', () => {
  it('ends with the latest loaded track, offsets included', () => {
    const a = newTrack('a', 'A', 'a.wav');
    const b = { ...newTrack('b', 'B', 'b.wav'), startOffsetSec: 3 };
    const c = newTrack('c', 'C', 'c.wav');
    expect(songDuration([a, b, c], { a: { duration: 4 }, b: { duration: 2 } })).toBe(5);
    expect(songDuration([c], {})).toBe(0);
  });
  it('maps a click to a time inside the song', () => {
    expect(timeAt(50, 200, 8)).toBe(2);
    expect(timeAt(-10, 200, 8)).toBe(0);
    expect(timeAt(500, 200, 8)).toBe(8);
    expect(timeAt(10, 0, 8)).toBe(0);
  });
});
