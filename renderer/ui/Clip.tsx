import { useRef } from 'react';
import type { Track } from '../../contracts/project';
import type { TrackAudio } from '../app/audio-session';
import { type ClipEdit, clipLength, snapMove, snapTime } from '../state/clip-edit';
import { useController, useT } from './context';
import { Waveform } from './Waveform';

/** Pixels within which a dragged edge lands on another clip's edge. */
const SNAP_REACH_PX = 8;
const KEY_STEP_SEC = 0.01;

type Part = 'body' | 'start' | 'end' | 'fadeIn' | 'fadeOut';

/**
 * A track's clip on the timeline: drag it to move it, drag its edges to trim it, drag the squares at
 * its top corners to fade it in and out (snapping to 10 ms and to other clips' edges; Alt drags
 * freely). Each part is also a slider for the keyboard: arrows move by 10 ms, with Shift by 100 ms.
 * A drag is one undo step; so is each key press.
 */
export function Clip(props: {
  track: Track;
  audio: TrackAudio;
  /** The part of the song the lane shows, in seconds (its width is `spanSec`). */
  view: { startSec: number; spanSec: number };
  /** Other clips' edges, in seconds, to snap to. */
  edges: readonly number[];
  name: string;
  muted: boolean;
  colour: string;
}) {
  const controller = useController();
  const { t } = useT();
  const { track, audio, view } = props;
  const clip = track.clip;
  const start = track.startOffsetSec;
  const length = clipLength(clip, audio.duration);
  const span = Math.max(view.spanSec, 1e-6);
  const lane = useRef<HTMLDivElement>(null);
  const drag = useRef<{ part: Part; x: number; secPerPx: number; gesture: string; from: number } | null>(
    null,
  );

  const edit = (e: ClipEdit, gesture?: string) =>
    controller.mix.dispatch({ type: 'editClip', id: track.id, edit: e, sourceSec: audio.duration, gesture });
  const currentOf = (part: Part): number =>
    part === 'body' || part === 'start'
      ? start
      : part === 'end'
        ? start + length
        : part === 'fadeIn'
          ? clip.fadeInSec
          : clip.fadeOutSec;
  const apply = (part: Part, value: number, gesture?: string) => {
    if (part === 'body') edit({ kind: 'move', startSec: value }, gesture);
    else if (part === 'start') edit({ kind: 'trimStart', atSec: value }, gesture);
    else if (part === 'end') edit({ kind: 'trimEnd', atSec: value }, gesture);
    else if (part === 'fadeIn') edit({ kind: 'fadeIn', sec: value }, gesture);
    else edit({ kind: 'fadeOut', sec: value }, gesture);
  };

  const onPointerDown = (part: Part) => (e: React.PointerEvent<HTMLElement>) => {
    if (e.button !== 0) return;
    e.stopPropagation();
    e.preventDefault();
    const width = lane.current?.parentElement?.clientWidth ?? 1;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    (e.currentTarget as HTMLElement).focus();
    drag.current = {
      part,
      x: e.clientX,
      secPerPx: span / Math.max(1, width),
      gesture: `clip:${track.id}:${part}:${e.timeStamp}`,
      from: currentOf(part),
    };
  };
  const onPointerMove = (e: React.PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    // The fade out grows leftwards: its handle moves against the time it sets.
    const raw = d.from + (d.part === 'fadeOut' ? -dx : dx) * d.secPerPx;
    const snap = !e.altKey;
    const reach = SNAP_REACH_PX * d.secPerPx;
    let value = raw;
    if (d.part === 'body') value = snapMove(raw, length, props.edges, reach, snap);
    else if (d.part === 'start' || d.part === 'end') value = snapTime(raw, props.edges, reach, snap);
    else value = snapTime(raw, [], 0, snap);
    apply(d.part, value, d.gesture);
  };
  const onPointerUp = () => {
    if (!drag.current) return;
    drag.current = null;
    controller.mix.dispatch({ type: 'endGesture' });
  };
  const onKeyDown = (part: Part) => (e: React.KeyboardEvent<HTMLElement>) => {
    const sign =
      e.key === 'ArrowRight' || e.key === 'ArrowUp'
        ? 1
        : e.key === 'ArrowLeft' || e.key === 'ArrowDown'
          ? -1
          : 0;
    if (sign === 0) return;
    e.preventDefault();
    e.stopPropagation();
    const step = (e.shiftKey ? 10 : 1) * KEY_STEP_SEC;
    // Left is earlier for every part; the fade out's handle lengthens its fade going left.
    const delta = (part === 'fadeOut' ? -sign : sign) * step;
    apply(part, Math.round((currentOf(part) + delta) * 1000) / 1000);
  };
  const handle = (part: Part, label: string, className: string, style?: React.CSSProperties) => (
    <div
      role="slider"
      tabIndex={0}
      className={className}
      style={style}
      aria-label={label}
      aria-valuemin={0}
      aria-valuenow={Math.round(currentOf(part) * 1000) / 1000}
      aria-valuetext={t('clip.seconds', { value: (Math.round(currentOf(part) * 1000) / 1000).toFixed(2) })}
      data-testid={`clip-${part}`}
      onPointerDown={onPointerDown(part)}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown(part)}
    />
  );

  const fadeInPct = length > 0 ? (clip.fadeInSec / length) * 100 : 0;
  const fadeOutPct = length > 0 ? (clip.fadeOutSec / length) * 100 : 0;
  return (
    <div
      ref={lane}
      className="clip"
      title={props.name}
      style={{ left: `${((start - view.startSec) / span) * 100}%`, width: `${(length / span) * 100}%` }}
    >
      <Waveform
        audio={audio}
        from={clip.trimStartSec}
        length={length}
        shownFrom={Math.max(0, view.startSec - start)}
        shownTo={Math.min(length, view.startSec + span - start)}
        label={t('track.waveform', { name: props.name })}
        muted={props.muted}
        colour={props.colour}
      />
      <svg className="clip-fades" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
        {clip.fadeInSec > 0 && <polyline points={`0,100 ${fadeInPct},0`} />}
        {clip.fadeOutSec > 0 && <polyline points={`${100 - fadeOutPct},0 100,100`} />}
      </svg>
      {handle('body', t('clip.position', { name: props.name }), 'clip-body')}
      {handle('start', t('clip.trimStart', { name: props.name }), 'clip-edge is-start')}
      {handle('end', t('clip.trimEnd', { name: props.name }), 'clip-edge is-end')}
      {handle('fadeIn', t('clip.fadeIn', { name: props.name }), 'clip-fade is-in', { left: `${fadeInPct}%` })}
      {handle('fadeOut', t('clip.fadeOut', { name: props.name }), 'clip-fade is-out', {
        left: `${100 - fadeOutPct}%`,
      })}
    </div>
  );
}
