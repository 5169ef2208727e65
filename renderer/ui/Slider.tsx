import { useId } from 'react';
import { useController } from './context';

/**
 * A labelled range input that records one undo step per gesture (drag or keys) and resets to its
 * default on double-click. `toPosition`/`fromPosition` map a value to the input's travel.
 */
export function Slider(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  defaultValue: number;
  display: string;
  gesture: string;
  onChange: (value: number, gesture: string) => void;
  toPosition?: (value: number) => number;
  fromPosition?: (position: number) => number;
  title?: string;
  className?: string;
  testId?: string;
  /**
   * Arrow keys move by this much in value units (Page keys by six times that). Without it, keys move
   * the input's own steps, which on a curved travel can round back to where they started.
   */
  keyStep?: number;
}) {
  const controller = useController();
  const id = useId();
  const toPosition = props.toPosition ?? ((v: number) => v);
  const fromPosition = props.fromPosition ?? ((p: number) => p);
  const end = () => controller.mix.dispatch({ type: 'endGesture' });
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    const step = props.keyStep;
    if (step === undefined) return;
    const low = fromPosition(props.min);
    const high = fromPosition(props.max);
    const moves: Record<string, number> = {
      ArrowUp: step,
      ArrowRight: step,
      ArrowDown: -step,
      ArrowLeft: -step,
      PageUp: 6 * step,
      PageDown: -6 * step,
      Home: low - props.value,
      End: high - props.value,
    };
    const move = moves[e.key];
    if (move === undefined) return;
    e.preventDefault();
    // On the grid of the step, so that repeated presses land on round values.
    const next = Math.min(high, Math.max(low, Math.round((props.value + move) / step) * step));
    if (next !== props.value) props.onChange(Number(next.toFixed(6)), props.gesture);
  };
  return (
    <div className={`slider ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="range"
        min={props.min}
        max={props.max}
        step={props.step}
        value={toPosition(props.value)}
        title={props.title}
        aria-valuetext={props.display}
        data-testid={props.testId}
        onChange={(e) => props.onChange(fromPosition(Number(e.currentTarget.value)), props.gesture)}
        onKeyDown={onKeyDown}
        onPointerUp={end}
        onKeyUp={end}
        onBlur={end}
        onMouseDown={(e) => {
          // The second press of a double-click resets, before the thumb jumps to the pointer.
          if (e.detail !== 2) return;
          e.preventDefault();
          end();
          props.onChange(props.defaultValue, `${props.gesture}:reset`);
          end();
        }}
      />
      <output htmlFor={id} className="slider-value">
        {props.display}
      </output>
    </div>
  );
}
