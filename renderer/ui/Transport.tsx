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
  /** Where the slider was last put, and the length then (none yet: put on the first frame). */
  const placed = useRef('');
  usePlayhead(
    useCallback(
      (seconds: number) => {
        // Written only when they change: setting textContent replaces the text node (a new one every
        // frame, and a layout of the desk with it), and a range's value moves its thumb, even to where
        // it is. Written every frame, an idle desk laid itself out 60 times a second and left some
        // 2 MiB a second of layout objects for the garbage collector.
        const text = `${formatClock(seconds)} / ${formatClock(duration)}`;
        if (clock.current && clock.current.textContent !== text) clock.current.textContent = text;
        // The range reads its value back rounded to its step (and clamped to its max): what was last
        // written, and for which length, is what to compare with. While the musician holds it, it is
        // theirs, and put back once when let go.
        const position = slider.current;
        const key = `${seconds} ${duration}`;
        if (position && document.activeElement === position) placed.current = '';
        else if (position && placed.current !== key) {
          position.value = String(seconds);
          placed.current = key;
        }
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
