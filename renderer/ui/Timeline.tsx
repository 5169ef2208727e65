import { useCallback, useEffect, useRef } from 'react';
import { formatClock, formatNumber } from '../i18n';
import { useStore } from '../state/store';
import { KEY_ZOOM, visibleWindow, zoomOf } from '../state/timeline-view';
import { useController, useT } from './context';
import { usePlayhead } from './usePlayhead';

/**
 * Ruler above the waveforms, over the part of the song in view: click to move the playhead; the line
 * runs down through every track. Beside it the zoom (−, +, Fit); under it, when zoomed, a scrollbar
 * over the whole song. While playing, a playhead that runs off the right edge turns the page.
 */
export function Timeline({ duration }: { duration: number }) {
  const controller = useController();
  const { t, locale } = useT();
  const view = useStore(controller.view, (s) => s);
  const { startSec, spanSec } = visibleWindow(view, duration);
  const zoom = zoomOf(view, duration);
  const head = useRef<HTMLDivElement>(null);
  const last = useRef(0);
  const rulerWidth = useRef(0);
  useEffect(() => {
    const ruler = head.current?.parentElement;
    if (!ruler) return;
    rulerWidth.current = ruler.clientWidth;
    const observer = new ResizeObserver(() => {
      rulerWidth.current = ruler.clientWidth;
    });
    observer.observe(ruler);
    return () => observer.disconnect();
  }, []);
  usePlayhead(
    useCallback(
      (seconds: number) => {
        const end = startSec + spanSec;
        if (seconds >= end && last.current >= startSec && last.current < end && seconds - end < spanSec / 2)
          controller.view.dispatch({ type: 'scroll', startSec: seconds, durationSec: duration });
        last.current = seconds;
        const x = spanSec > 0 ? (seconds - startSec) / spanSec : 0;
        const el = head.current;
        if (el) {
          // A transform on its own layer: moving it each frame needs no layout and no repaint of
          // the strips it crosses.
          el.style.transform = `translateX(${Math.round(x * rulerWidth.current)}px)`;
          el.style.visibility = x < 0 || x > 1 ? 'hidden' : 'visible';
        }
      },
      [controller, startSec, spanSec, duration],
    ),
  );

  const step = tickStep(spanSec);
  const first = Math.ceil(startSec / step - 1e-9);
  const ticks =
    spanSec > 0
      ? Array.from(
          { length: Math.max(0, Math.floor((startSec + spanSec) / step + 1e-9) - first + 1) },
          (_, i) => (first + i) * step,
        )
      : [];
  const zoomBy = (factor: number) =>
    controller.view.dispatch({ type: 'zoom', factor, anchor: 0.5, durationSec: duration });
  return (
    <div className="timeline-row">
      <fieldset className="timeline-spacer timeline-zoom" aria-label={t('timeline.zoom')}>
        <button
          type="button"
          className="icon-button"
          aria-label={t('timeline.zoomOut')}
          title={t('timeline.zoomOut')}
          disabled={view.spanSec === null}
          onClick={() => zoomBy(1 / KEY_ZOOM)}
        >
          −
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={t('timeline.zoomIn')}
          title={t('timeline.zoomIn')}
          onClick={() => zoomBy(KEY_ZOOM)}
        >
          +
        </button>
        <button
          type="button"
          className="button ghost small"
          title={t('timeline.fitHint')}
          disabled={view.spanSec === null}
          onClick={() => controller.view.dispatch({ type: 'fit' })}
        >
          {t('timeline.fit')}
        </button>
        <output className="zoom-level" data-testid="zoom-level">
          {t('timeline.zoomLevel', { value: formatNumber(locale, zoom, zoom < 10 ? 1 : 0) ?? '' })}
        </output>
      </fieldset>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the transport's position slider is the keyboard way to seek */}
      <div
        className="ruler"
        data-testid="timeline"
        title={t('transport.timeline')}
        onMouseDown={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          const x = Math.min(1, Math.max(0, (e.clientX - box.left) / Math.max(1, box.width)));
          controller.audio.seek(startSec + x * spanSec);
        }}
      >
        {ticks.map((time) => (
          <span key={time} className="tick" style={{ left: `${((time - startSec) / spanSec) * 100}%` }}>
            {step < 1 ? formatClock(time) : formatClock(time).replace(/\.\d$/, '')}
          </span>
        ))}
        <div ref={head} className="playhead" data-testid="playhead" />
      </div>
      <ScrollBar duration={duration} startSec={startSec} spanSec={spanSec} zoomed={view.spanSec !== null} />
    </div>
  );
}

function tickStep(span: number): number {
  for (const step of [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300]) if (span / step <= 12) return step;
  return 600;
}

/**
 * The whole song under the ruler with the part in view as a thumb: drag it, click beside it to go
 * there, or use the keys (arrows a tenth of the view, Page keys a whole view, Home and End). Drawn
 * by the desk rather than the browser so it looks and works the same everywhere.
 */
function ScrollBar(props: { duration: number; startSec: number; spanSec: number; zoomed: boolean }) {
  const controller = useController();
  const { t } = useT();
  const { duration, startSec, spanSec, zoomed } = props;
  const drag = useRef<{ x: number; from: number; secPerPx: number } | null>(null);
  const scrollTo = (at: number) =>
    controller.view.dispatch({ type: 'scroll', startSec: at, durationSec: duration });
  const left = duration > 0 ? (startSec / duration) * 100 : 0;
  const width = duration > 0 ? (spanSec / duration) * 100 : 100;
  return (
    <div
      className={`timeline-scroll ${zoomed ? 'is-zoomed' : ''}`}
      role="scrollbar"
      aria-label={t('timeline.scroll')}
      aria-orientation="horizontal"
      aria-valuemin={0}
      aria-valuemax={Math.max(0, Math.round((duration - spanSec) * 100) / 100)}
      aria-valuenow={Math.round(startSec * 100) / 100}
      aria-valuetext={formatClock(startSec)}
      aria-controls="track-lanes"
      aria-disabled={!zoomed}
      tabIndex={zoomed ? 0 : -1}
      data-testid="timeline-scroll"
      onPointerDown={(e) => {
        if (!zoomed || e.button !== 0) return;
        const box = e.currentTarget.getBoundingClientRect();
        const secPerPx = duration / Math.max(1, box.width);
        const at = (e.clientX - box.left) * secPerPx;
        // Beside the thumb: centre the view there first, then drag from it.
        const from = at < startSec || at > startSec + spanSec ? at - spanSec / 2 : startSec;
        if (from !== startSec) scrollTo(from);
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { x: e.clientX, from, secPerPx };
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (d) scrollTo(d.from + (e.clientX - d.x) * d.secPerPx);
      }}
      onPointerUp={() => {
        drag.current = null;
      }}
      onPointerCancel={() => {
        drag.current = null;
      }}
      onKeyDown={(e) => {
        const moves: Record<string, number> = {
          ArrowLeft: -spanSec / 10,
          ArrowRight: spanSec / 10,
          PageUp: -spanSec,
          PageDown: spanSec,
          Home: -duration,
          End: duration,
        };
        const move = moves[e.key];
        if (move === undefined || !zoomed) return;
        e.preventDefault();
        scrollTo(startSec + move);
      }}
    >
      <div className="timeline-thumb" style={{ left: `${left}%`, width: `${width}%` }} />
    </div>
  );
}
