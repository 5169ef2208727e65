import type { WindowBounds } from './services/settings';

export type Rect = { x: number; y: number; width: number; height: number };
export type WindowPlacement = { width: number; height: number; x?: number; y?: number };

export const DEFAULT_SIZE = { width: 1280, height: 800 };
/** How much of the window must show on a display for the saved place to be kept (title bar and some). */
const MIN_VISIBLE = { width: 120, height: 60 };

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Where the window opens: the saved place when enough of it is on a display that still exists
 * (size clamped to that display's work area); otherwise the saved size, clamped to the first display,
 * with no position, so the window manager centres it. A monitor unplugged since the last run
 * cannot leave the window out of sight.
 */
export function placeWindow(saved: WindowBounds | null, workAreas: readonly Rect[]): WindowPlacement {
  const primary = workAreas[0];
  const size = { width: saved?.width ?? DEFAULT_SIZE.width, height: saved?.height ?? DEFAULT_SIZE.height };
  const clampTo = (area: Rect | undefined) =>
    area ? { width: Math.min(size.width, area.width), height: Math.min(size.height, area.height) } : size;
  if (saved?.x === undefined || saved.y === undefined) return clampTo(primary);
  const rect = { x: saved.x, y: saved.y, ...size };
  const home = workAreas.find((area) => {
    const o = overlap(rect, area);
    return o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height;
  });
  if (!home) return clampTo(primary);
  const clamped = clampTo(home);
  // Pulled inside the display it is mostly on, so the title bar can be reached.
  const x = Math.min(Math.max(saved.x, home.x), home.x + home.width - clamped.width);
  const y = Math.min(Math.max(saved.y, home.y), home.y + home.height - clamped.height);
  return { ...clamped, x, y };
}
