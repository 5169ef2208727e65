import { useEffect, useId, useRef, useState } from 'react';
import { formatNumber, parseSeconds } from '../i18n';
import { useT } from './context';

const KEY_STEPS: Record<string, number> = { ArrowUp: 0.1, ArrowDown: -0.1, PageUp: 1, PageDown: -1 };

/**
 * Where a track starts in the song, in seconds: typed (either decimal mark, or m:ss), or moved by
 * keys (arrows 0.1 s, Shift+arrows and Page keys 1 s, Home back to 0). Each change is one undo step.
 * Something that is not a time puts the field back as it was and changes nothing.
 */
export function StartField(props: { value: number; onChange: (seconds: number) => void }) {
  const { t, locale } = useT();
  const id = useId();
  const shown = formatNumber(locale, props.value, 2) ?? '0';
  const [draft, setDraft] = useState(shown);
  useEffect(() => setDraft(shown), [shown]);
  // The value last asked for, and those asked for that the desk has not shown yet: keys pressed
  // faster than the desk redraws still add up, and an undo (a value nobody here asked for) wins.
  const latest = useRef(props.value);
  const pending = useRef<number[]>([]);
  useEffect(() => {
    const i = pending.current.indexOf(props.value);
    if (i >= 0) pending.current.splice(0, i + 1);
    else {
      pending.current = [];
      latest.current = props.value;
    }
  }, [props.value]);
  // Whether the musician has typed since the field last showed the value.
  const typed = useRef(false);
  const set = (seconds: number) => {
    typed.current = false;
    const next = Math.max(0, Math.round(seconds * 100) / 100);
    if (next !== latest.current) {
      latest.current = next;
      pending.current.push(next);
      props.onChange(next);
    } else setDraft(shown);
  };
  const revert = () => {
    typed.current = false;
    setDraft(shown);
  };
  const commit = () => {
    if (!typed.current) return;
    const seconds = parseSeconds(draft);
    if (seconds === null) revert();
    else set(seconds);
  };
  return (
    <div className="slider start-field">
      <label htmlFor={id}>{t('track.start')}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        spellCheck={false}
        autoComplete="off"
        title={t('track.startHint')}
        value={draft}
        onChange={(e) => {
          typed.current = true;
          setDraft(e.currentTarget.value);
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.currentTarget.blur();
          else if (e.key === 'Escape') revert();
          else if (e.key === 'Home') {
            e.preventDefault();
            set(0);
          } else {
            const step = KEY_STEPS[e.key];
            if (step === undefined) return;
            e.preventDefault();
            // From what was typed, if anything was, else from the last value asked for.
            const base = typed.current ? (parseSeconds(draft) ?? latest.current) : latest.current;
            set(base + (e.shiftKey && Math.abs(step) < 1 ? step * 10 : step));
          }
        }}
      />
      <span className="slider-value" aria-hidden="true">
        {t('unit.seconds')}
      </span>
    </div>
  );
}
