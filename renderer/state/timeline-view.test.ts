import { describe, expect, it } from 'vitest';
import {
  FIT,
  KEY_ZOOM,
  MIN_SPAN_SEC,
  type TimelineView,
  viewReducer,
  visibleWindow,
  zoomOf,
} from './timeline-view';

const zoom = (view: TimelineView, factor: number, anchor = 0.5, durationSec = 600) =>
  viewReducer(view, { type: 'zoom', factor, anchor, durationSec });

describe('timeline view', () => {
  it('fits the whole song until zoomed', () => {
    expect(visibleWindow(FIT, 600)).toEqual({ startSec: 0, spanSec: 600 });
    expect(zoomOf(FIT, 600)).toBe(1);
  });

  it('zooms in and out by the key step, around the anchor', () => {
    let v = zoom(FIT, KEY_ZOOM, 0.5);
    expect(visibleWindow(v, 600)).toEqual({ startSec: 150, spanSec: 300 });
    v = zoom(v, KEY_ZOOM, 0.5);
    expect(zoomOf(v, 600)).toBe(4);
    expect(visibleWindow(v, 600)).toEqual({ startSec: 225, spanSec: 150 });
    // The time under the pointer stays under it.
    const before = visibleWindow(v, 600);
    const at = before.startSec + 0.2 * before.spanSec;
    v = zoom(v, 1.37, 0.2);
    const after = visibleWindow(v, 600);
    expect(after.startSec + 0.2 * after.spanSec).toBeCloseTo(at, 9);
    // Out again: back to fit, which follows the song's length.
    v = zoom(zoom(zoom(v, 1 / KEY_ZOOM), 1 / KEY_ZOOM), 1 / KEY_ZOOM);
    expect(v).toEqual(FIT);
    expect(visibleWindow(v, 900)).toEqual({ startSec: 0, spanSec: 900 });
  });

  it('keeps the window within the song at its edges', () => {
    const left = zoom(FIT, 10, 0);
    expect(visibleWindow(left, 600)).toEqual({ startSec: 0, spanSec: 60 });
    const right = zoom(FIT, 10, 1);
    expect(visibleWindow(right, 600)).toEqual({ startSec: 540, spanSec: 60 });
    // A song that shrank under the view: the window slides back inside it.
    expect(visibleWindow(right, 100)).toEqual({ startSec: 40, spanSec: 60 });
  });

  it('stops at one second across the lane', () => {
    let v: TimelineView = FIT;
    for (let i = 0; i < 30; i++) v = zoom(v, KEY_ZOOM);
    expect(visibleWindow(v, 600).spanSec).toBe(MIN_SPAN_SEC);
    expect(zoom(v, KEY_ZOOM)).toBe(v);
    // A song shorter than that cannot zoom at all.
    expect(zoom(FIT, 4, 0.5, 0.5)).toBe(FIT);
  });

  it('scrolls at the same zoom within the song; at fit there is nothing to scroll', () => {
    const v = zoom(FIT, 4, 0);
    expect(visibleWindow(viewReducer(v, { type: 'scroll', startSec: 100, durationSec: 600 }), 600)).toEqual({
      startSec: 100,
      spanSec: 150,
    });
    expect(viewReducer(v, { type: 'scroll', startSec: 10_000, durationSec: 600 }).startSec).toBe(450);
    expect(viewReducer(v, { type: 'scroll', startSec: -5, durationSec: 600 }).startSec).toBe(0);
    expect(viewReducer(FIT, { type: 'scroll', startSec: 100, durationSec: 600 })).toBe(FIT);
    expect(viewReducer(v, { type: 'scroll', startSec: Number.NaN, durationSec: 600 })).toBe(v);
  });

  it('fit returns to the whole song; bad zooms change nothing', () => {
    const v = zoom(FIT, 8, 0.3);
    expect(viewReducer(v, { type: 'fit' })).toEqual(FIT);
    expect(viewReducer(FIT, { type: 'fit' })).toBe(FIT);
    for (const factor of [0, -2, Number.NaN, Number.POSITIVE_INFINITY]) expect(zoom(v, factor)).toBe(v);
    expect(zoom(v, 2, 0.5, 0)).toBe(v);
    expect(zoom(v, 2, 0.5, Number.NaN)).toBe(v);
    // An anchor outside the lane is held to its edge.
    expect(visibleWindow(zoom(FIT, 2, 7), 600)).toEqual(visibleWindow(zoom(FIT, 2, 1), 600));
  });
});
