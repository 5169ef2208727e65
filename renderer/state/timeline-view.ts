/**
 * Which part of the song the timeline shows: the whole song ("fit", `spanSec` null) or `spanSec`
 * seconds from `startSec`. Not part of the project and not undoable: it is where the musician looks,
 * not what they made. Actions carry the song's duration, which the view does not own; a view left
 * wider than a song that shrank is read through `visibleWindow`, which clamps it. Pure.
 */
export type TimelineView = { spanSec: number | null; startSec: number };

export type ViewAction =
  /** Zoom by `factor` (> 1 in), keeping the time under `anchor` (0 … 1 across the lane) in place. */
  | { type: 'zoom'; factor: number; anchor: number; durationSec: number }
  | { type: 'fit' }
  /** Show from `startSec` (scrolling), at the same zoom. */
  | { type: 'scroll'; startSec: number; durationSec: number };

/** The closest look: one second across the lane (the waveform's finest level is ~5 ms a bucket). */
export const MIN_SPAN_SEC = 1;
/** One press of + or −. */
export const KEY_ZOOM = 2;

export const FIT: TimelineView = { spanSec: null, startSec: 0 };

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The window the lanes show for a song of `durationSec`: its start and span in seconds. */
export function visibleWindow(
  view: TimelineView,
  durationSec: number,
): { startSec: number; spanSec: number } {
  const duration = Math.max(durationSec, 0);
  if (view.spanSec === null || view.spanSec >= duration) return { startSec: 0, spanSec: duration };
  const span = Math.max(Math.min(MIN_SPAN_SEC, duration), view.spanSec);
  return { startSec: clamp(view.startSec, 0, duration - span), spanSec: span };
}

/** How many times closer than the whole song the view is (1 at fit). */
export function zoomOf(view: TimelineView, durationSec: number): number {
  const { spanSec } = visibleWindow(view, durationSec);
  return spanSec > 0 ? durationSec / spanSec : 1;
}

export function viewReducer(view: TimelineView, action: ViewAction): TimelineView {
  switch (action.type) {
    case 'fit':
      return view.spanSec === null ? view : FIT;
    case 'zoom': {
      const { factor, anchor, durationSec } = action;
      if (!(Number.isFinite(factor) && factor > 0 && Number.isFinite(durationSec) && durationSec > 0))
        return view;
      const now = visibleWindow(view, durationSec);
      const span = clamp(now.spanSec / factor, Math.min(MIN_SPAN_SEC, durationSec), durationSec);
      // Zoomed out to the whole song: fit, which then follows the song as it grows or shrinks.
      if (span >= durationSec) return view.spanSec === null ? view : FIT;
      const a = Number.isFinite(anchor) ? clamp(anchor, 0, 1) : 0.5;
      const at = now.startSec + a * now.spanSec;
      const startSec = clamp(at - a * span, 0, durationSec - span);
      if (view.spanSec === span && view.startSec === startSec) return view;
      return { spanSec: span, startSec };
    }
    case 'scroll': {
      if (view.spanSec === null || !Number.isFinite(action.startSec)) return view;
      const { spanSec } = visibleWindow(view, action.durationSec);
      const startSec = clamp(action.startSec, 0, Math.max(0, action.durationSec - spanSec));
      return startSec === view.startSec ? view : { ...view, startSec };
    }
  }
}
