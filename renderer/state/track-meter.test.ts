import { describe, expect, it } from 'vitest';
import { clipped, clipReducer, METER_FLOOR_DB, meterFill, nextLevel, SILENT } from './track-meter';

describe('track meter ballistics', () => {
  it('jumps to a peak at once and falls at 12 dB a second', () => {
    const up = nextLevel(SILENT, { left: 0.5, right: 1 }, 0.016);
    expect(up.left).toBeCloseTo(-6.02, 2);
    expect(up.right).toBeCloseTo(0, 6);
    const later = nextLevel(up, { left: 0, right: 0 }, 0.5);
    expect(later.left).toBeCloseTo(-12.02, 2);
    expect(later.right).toBeCloseTo(-6, 6);
  });

  it('falls to the floor after Stop and stays there', () => {
    let level = nextLevel(SILENT, { left: 1, right: 1 }, 0);
    for (let i = 0; i < 400; i++) level = nextLevel(level, { left: 0, right: 0 }, 1 / 60);
    expect(level).toEqual(SILENT);
    expect(meterFill(level.left)).toBe(0);
    expect(meterFill(0)).toBe(1);
    expect(meterFill(METER_FLOOR_DB / 2)).toBeCloseTo(0.5, 9);
  });

  it('a peak at full scale or over clips, below does not', () => {
    expect(clipped({ left: 0.999, right: 0.5 })).toBe(false);
    expect(clipped({ left: 0.2, right: 1 })).toBe(true);
    expect(clipped({ left: 3.2, right: 0 })).toBe(true);
  });

  it('a clip light holds until cleared, one track at a time', () => {
    let lights = clipReducer(new Set(), { type: 'clip', id: 'a' });
    lights = clipReducer(lights, { type: 'clip', id: 'b' });
    const same = clipReducer(lights, { type: 'clip', id: 'a' });
    expect(same).toBe(lights);
    lights = clipReducer(lights, { type: 'clear', id: 'a' });
    expect([...lights]).toEqual(['b']);
    expect(clipReducer(lights, { type: 'clearAll' }).size).toBe(0);
  });
});
