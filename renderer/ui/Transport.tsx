import { useCallback, useRef } from 'react';
import { formatClock } from '../i18n';
import { useStore } from '../state/store';
import { useController, useT } from './context';
import { usePlayhead } from './usePlayhead';

export function Transport({ duration }: { duration: number }) {
  const controller = useController();
  const { t } = useT();
  const playing = useStore(controller.audio.transport, (p) => p);
  const clock = useRef<HTMLOutputElement>(null);
  const slider = useRef<HTMLInputElement>(null);
  usePlayhead(
    useCallback(
      (seconds: number) => {
        if (clock.current) clock.current.textContent = `${formatClock(seconds)} / ${formatClock(duration)}`;
        if (slider.current && document.activeElement !== slider.current)
          slider.current.value = String(seconds);
      },
      [duration],
    ),
  );
  return (
    <section className="transport" aria-label={t('transport.label')}>
      <div className="transport-buttons">
        <button
          type="button"
          className={`round-button ${playing ? 'is-on' : ''}`}
          aria-label={playing ? t('transport.pause') : t('transport.play')}
          data-testid="play"
          onClick={() => void controller.audio.togglePlay()}
        >
          <span aria-hidden="true" className={playing ? 'glyph-pause' : 'glyph-play'} />
        </button>
        <button
          type="button"
          className="round-button"
          aria-label={t('transport.stop')}
          onClick={() => controller.audio.stop()}
        >
          <span aria-hidden="true" className="glyph-stop" />
        </button>
      </div>
      <output ref={clock} className="clock" data-testid="clock" aria-label={t('transport.position')}>
        {`${formatClock(0)} / ${formatClock(duration)}`}
      </output>
      <input
        ref={slider}
        className="position"
        type="range"
        min={0}
        max={Math.max(duration, 0.001)}
        step={0.1}
        defaultValue={0}
        aria-label={t('transport.position')}
        onChange={(e) => controller.audio.seek(Number(e.currentTarget.value))}
      />
      {/* The keyboard shortcuts, one click (or Enter) away: a native disclosure, focusable and read out. */}
      <details className="keys" data-testid="shortcuts">
        <summary title={t('desk.shortcuts')}>{t('desk.keys')}</summary>
        <p className="shortcuts">{t('desk.shortcuts')}</p>
      </details>
    </section>
  );
}
