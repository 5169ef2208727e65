import { useCallback, useRef } from 'react';
import { timeAt } from '../app/song';
import { formatClock } from '../i18n';
import { useController, useT } from './context';
import { usePlayhead } from './usePlayhead';

/** Ruler above the waveforms: click to move the playhead; the line runs down through every track. */
export function Timeline({ duration }: { duration: number }) {
  const controller = useController();
  const { t } = useT();
  const ruler = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  usePlayhead(
    useCallback(
      (seconds: number) => {
        if (head.current) head.current.style.left = `${duration > 0 ? (seconds / duration) * 100 : 0}%`;
      },
      [duration],
    ),
  );
  const step = tickStep(duration);
  const ticks =
    duration > 0 ? Array.from({ length: Math.floor(duration / step) + 1 }, (_, i) => i * step) : [];
  return (
    <div className="timeline-row">
      <div className="timeline-spacer" />
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the transport's position slider is the keyboard way to seek */}
      <div
        ref={ruler}
        className="ruler"
        data-testid="timeline"
        title={t('transport.timeline')}
        onMouseDown={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          controller.audio.seek(timeAt(e.clientX - box.left, box.width, duration));
        }}
      >
        {ticks.map((time) => (
          <span key={time} className="tick" style={{ left: `${(time / duration) * 100}%` }}>
            {formatClock(time).replace(/\.\d$/, '')}
          </span>
        ))}
        <div ref={head} className="playhead" data-testid="playhead" />
      </div>
    </div>
  );
}

function tickStep(duration: number): number {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300]) if (duration / step <= 12) return step;
  return 600;
}
