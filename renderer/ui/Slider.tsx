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
}) {
  const controller = useController();
  const id = useId();
  const toPosition = props.toPosition ?? ((v: number) => v);
  const fromPosition = props.fromPosition ?? ((p: number) => p);
  const end = () => controller.mix.dispatch({ type: 'endGesture' });
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
