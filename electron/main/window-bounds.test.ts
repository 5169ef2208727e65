import { describe, expect, it } from 'vitest';
import type { WindowBounds } from './services/settings';
import { placeWindow, type Rect, type WindowPlacement } from './window-bounds';

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 875 };
const external: Rect = { x: 1440, y: 0, width: 2560, height: 1415 };
const saved = (b: Partial<WindowBounds>): WindowBounds => ({
  width: 1280,
  height: 800,
  maximized: false,
  ...b,
});

const cases: Array<[string, WindowBounds | null, Rect[], WindowPlacement]> = [
  ['nothing saved: the default size, placed by the system', null, [laptop], { width: 1280, height: 800 }],
  [
    'nothing saved on a small screen: fits it',
    null,
    [{ x: 0, y: 0, width: 1024, height: 700 }],
    { width: 1024, height: 700 },
  ],
  [
    'saved on the laptop: kept',
    saved({ x: 40, y: 30 }),
    [laptop],
    { width: 1280, height: 800, x: 40, y: 30 },
  ],
  [
    'saved on the external display, still there: kept',
    saved({ x: 1600, y: 100, width: 2000, height: 1200 }),
    [laptop, external],
    { width: 2000, height: 1200, x: 1600, y: 100 },
  ],
  [
    'saved on the external display, unplugged since: the laptop, size clamped, no position',
    saved({ x: 1600, y: 100, width: 2000, height: 1200 }),
    [laptop],
    { width: 1440, height: 875 },
  ],
  [
    'saved barely on screen (a few pixels): treated as off screen',
    saved({ x: 1400, y: 860 }),
    [laptop],
    { width: 1280, height: 800 },
  ],
  [
    'saved half off the laptop’s edge: pulled back inside',
    saved({ x: 800, y: 500 }),
    [laptop],
    { width: 1280, height: 800, x: 160, y: 75 },
  ],
  [
    'saved at negative coordinates on a display left of the primary',
    saved({ x: -1800, y: 50 }),
    [laptop, { x: -1920, y: 0, width: 1920, height: 1050 }],
    { width: 1280, height: 800, x: -1800, y: 50 },
  ],
  ['no display reported: the saved size as is', saved({ x: 10, y: 10 }), [], { width: 1280, height: 800 }],
];

describe('where the window opens', () => {
  it.each(cases)('%s', (_name, bounds, displays, expected) => {
    expect(placeWindow(bounds, displays)).toEqual(expected);
  });
});
