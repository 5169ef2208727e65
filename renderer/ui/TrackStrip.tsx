import { type CSSProperties, useEffect, useRef, useState } from 'react';
import { DEFAULT_EQ, type FadeCurve, type Track } from '../../contracts/project';
import type { TrackAudio } from '../app/audio-session';
import { isAudible } from '../../engine/index';
import { dbToFader, faderToDb, panLabel } from '../audio/params';
import { formatNumber } from '../i18n';
import type { TrackPatch } from '../state/mix';
import { useStore } from '../state/store';
import { trackColour } from '../state/track-colour';
import { clipped, meterFill, nextLevel, SILENT } from '../state/track-meter';
import { useController, useT } from './context';
import { Slider } from './Slider';
import { StartField } from './StartField';
import { Clip } from './Clip';

export function TrackStrip(props: {
  track: Track;
  index: number;
  count: number;
  audio: TrackAudio | null;
  /** The part of the song the lanes show, in seconds. */
  view: { startSec: number; spanSec: number };
  /** Whether some track of the mix is soloed (the others are then silent). */
  anySolo: boolean;
  /** The other clips' edges on the timeline, in seconds, for snapping. */
  edges: readonly number[];
}) {
  const controller = useController();
  const { t, locale } = useT();
  const { track, index, count, audio } = props;
  const name = track.name || t('track.untitled');
  const [draft, setDraft] = useState(track.name);
  const [expanded, setExpanded] = useState(false);
  const silenced = !isAudible(track, props.anySolo);
  const soloMuted = silenced && !track.mute;
  useEffect(() => setDraft(track.name), [track.name]);

  const update = (patch: TrackPatch, gesture?: string) =>
    controller.mix.dispatch({ type: 'updateTrack', id: track.id, patch, gesture });
  const hz = (f: number) =>
    f >= 1000
      ? t('unit.khz', { value: formatNumber(locale, f / 1000, 2) ?? '' })
      : t('unit.hz', { value: formatNumber(locale, f, 0) ?? '' });
  const db = (value: number) =>
    value <= -96 ? t('unit.off') : t('unit.db', { value: formatNumber(locale, value) ?? t('unit.none') });
  const pan = panLabel(track.pan);
  const panText =
    pan.side === 'centre'
      ? t('track.panCentre')
      : t(pan.side === 'left' ? 'track.panLeft' : 'track.panRight', { amount: pan.amount });

  const commitName = () => {
    if (draft.trim() === '') setDraft(track.name);
    else controller.mix.dispatch({ type: 'renameTrack', id: track.id, name: draft });
  };

  const remove = () => {
    controller.mix.dispatch({ type: 'removeTrack', id: track.id });
    controller.notices.notify('info', { key: 'track.removed', params: { name } }, true);
  };

  return (
    <li
      className={`strip ${silenced ? 'is-muted' : ''} ${track.solo ? 'is-solo' : ''} ${expanded ? 'is-expanded' : ''}`}
      style={{ '--track-colour': trackColour(track.id) } as CSSProperties}
      aria-label={t('track.strip', { name })}
      title={soloMuted ? t('track.soloMuted', { name }) : undefined}
      data-testid="strip"
      data-track-id={track.id}
      // Clicking the strip's background focuses it, so M and S know which track the keys are for.
      tabIndex={-1}
    >
      <div className="strip-controls">
        <div className="strip-top">
          <input
            className="strip-name"
            aria-label={t('track.name')}
            title={name}
            value={draft}
            maxLength={200}
            onChange={(e) => setDraft(e.currentTarget.value)}
            onBlur={commitName}
            onKeyDown={(e) => {
              if (e.key === 'Enter') e.currentTarget.blur();
              if (e.key === 'Escape') setDraft(track.name);
            }}
          />
          <button
            type="button"
            className={`toggle mute ${track.mute ? 'is-on' : ''} ${soloMuted ? 'is-implied' : ''}`}
            aria-pressed={track.mute}
            title={t('track.muteHint')}
            onClick={() => update({ mute: !track.mute })}
          >
            {t('track.mute')}
          </button>
          <button
            type="button"
            className={`toggle solo ${track.solo ? 'is-on' : ''}`}
            aria-pressed={track.solo}
            title={t('track.soloHint')}
            onClick={() => update({ solo: !track.solo })}
          >
            {t('track.solo')}
          </button>
          <button
            type="button"
            className="icon-button expand"
            aria-expanded={expanded}
            aria-label={t('track.more', { name })}
            title={t('track.more', { name })}
            onClick={() => setExpanded(!expanded)}
          >
            <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
            {track.compressor.enabled && <span className="dot" aria-hidden="true" />}
          </button>
        </div>
        <div className="strip-mid">
          <Slider
            className="fader"
            label={t('track.gain')}
            title={t('track.gainHint')}
            value={track.gainDb}
            min={0}
            max={1000}
            step={1}
            defaultValue={0}
            display={db(track.gainDb)}
            gesture={`gain:${track.id}`}
            toPosition={(v) => Math.round(dbToFader(v) * 1000)}
            fromPosition={(p) => Math.round(faderToDb(p / 1000) * 10) / 10}
            keyStep={0.5}
            onChange={(gainDb, g) => update({ gainDb }, g)}
            testId="fader"
          />
          <Slider
            className="pan"
            label={t('track.pan')}
            value={track.pan}
            min={-100}
            max={100}
            step={1}
            defaultValue={0}
            display={panText}
            gesture={`pan:${track.id}`}
            toPosition={(v) => Math.round(v * 100)}
            fromPosition={(p) => p / 100}
            onChange={(value, g) => update({ pan: value }, g)}
          />
          <Slider
            className="send"
            label={t('track.send')}
            title={t('track.sendHint')}
            value={track.send.enabled ? track.send.levelDb : SEND_OFF}
            min={SEND_OFF}
            max={6}
            step={0.5}
            defaultValue={SEND_OFF}
            display={track.send.enabled ? db(track.send.levelDb) : t('unit.sendOff')}
            gesture={`send:${track.id}`}
            keyStep={0.5}
            onChange={(value, g) =>
              update({ send: value <= SEND_OFF ? { enabled: false } : { enabled: true, levelDb: value } }, g)
            }
            testId="send"
          />
        </div>
        <StripMeter trackId={track.id} name={name} />
        {expanded && (
          <div className="strip-more more">
            <div className="strip-more-row">
              <StartField
                value={track.startOffsetSec}
                onChange={(startOffsetSec) => update({ startOffsetSec })}
              />
              <div className="strip-order">
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('track.moveUp', { name })}
                  disabled={index === 0}
                  onClick={() => controller.mix.dispatch({ type: 'moveTrack', id: track.id, to: index - 1 })}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('track.moveDown', { name })}
                  disabled={index === count - 1}
                  onClick={() => controller.mix.dispatch({ type: 'moveTrack', id: track.id, to: index + 1 })}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="icon-button danger"
                  aria-label={t('track.remove', { name })}
                  onClick={remove}
                >
                  ×
                </button>
              </div>
            </div>
            <div className="strip-fades">
              {(['in', 'out'] as const).map((which) => (
                <label key={which}>
                  {t(which === 'in' ? 'clip.fadeInCurve' : 'clip.fadeOutCurve')}{' '}
                  <select
                    value={which === 'in' ? track.clip.fadeInCurve : track.clip.fadeOutCurve}
                    onChange={(e) =>
                      audio &&
                      controller.mix.dispatch({
                        type: 'editClip',
                        id: track.id,
                        edit: { kind: 'curve', which, curve: e.currentTarget.value as FadeCurve },
                        sourceSec: audio.duration,
                      })
                    }
                  >
                    <option value="equalPower">{t('clip.equalPower')}</option>
                    <option value="linear">{t('clip.linear')}</option>
                  </select>
                </label>
              ))}
            </div>
            <label className="strip-send-pre" title={t('track.sendPreHint')}>
              <input
                type="checkbox"
                checked={track.send.preFader}
                onChange={(e) => update({ send: { preFader: e.currentTarget.checked } })}
              />{' '}
              {t('track.sendPre')}
            </label>
            <div className="more-panel">
              <fieldset>
                <legend>{t('track.eq')}</legend>
                {(['low', 'mid', 'high'] as const).map((band) => {
                  const bandName = t(
                    band === 'low' ? 'track.eqLow' : band === 'mid' ? 'track.eqMid' : 'track.eqHigh',
                  );
                  const range = EQ_FREQ_RANGE[band];
                  const mid = track.eq.mid;
                  return (
                    <div className="eq-band" key={band}>
                      <Slider
                        label={bandName}
                        value={track.eq[band].gainDb}
                        min={-24}
                        max={24}
                        step={0.5}
                        defaultValue={0}
                        display={db(track.eq[band].gainDb)}
                        gesture={`eq-${band}:${track.id}`}
                        onChange={(gainDb, g) => update({ eq: { [band]: { gainDb } } }, g)}
                      />
                      <Slider
                        label={t('track.eqFreq', { band: bandName })}
                        value={track.eq[band].freqHz}
                        min={0}
                        max={1000}
                        step={1}
                        defaultValue={DEFAULT_EQ[band].freqHz}
                        display={hz(track.eq[band].freqHz)}
                        gesture={`eq-${band}-freq:${track.id}`}
                        toPosition={(f) => Math.round(logPosition(f, range) * 1000)}
                        fromPosition={(p) => Math.round(logValue(p / 1000, range) * 10) / 10}
                        onChange={(freqHz, g) => update({ eq: { [band]: { freqHz } } }, g)}
                      />
                      {band === 'mid' && (
                        <Slider
                          label={t('track.eqQ', { band: bandName })}
                          value={mid.q}
                          min={0}
                          max={1000}
                          step={1}
                          defaultValue={DEFAULT_EQ.mid.q}
                          display={formatNumber(locale, mid.q, 2) ?? ''}
                          gesture={`eq-q:${track.id}`}
                          toPosition={(q) => Math.round(logPosition(q, Q_RANGE) * 1000)}
                          // Fine enough that one key step never rounds back to where it was.
                          fromPosition={(p) => Math.round(logValue(p / 1000, Q_RANGE) * 1000) / 1000}
                          onChange={(q, g) => update({ eq: { mid: { q } } }, g)}
                        />
                      )}
                    </div>
                  );
                })}
              </fieldset>
              <fieldset>
                <legend>
                  <label>
                    <input
                      type="checkbox"
                      checked={track.compressor.enabled}
                      onChange={(e) => update({ compressor: { enabled: e.currentTarget.checked } })}
                    />{' '}
                    {t('track.compEnabled')}
                  </label>
                </legend>
                <Slider
                  label={t('track.threshold')}
                  value={track.compressor.thresholdDb}
                  min={-60}
                  max={0}
                  step={0.5}
                  defaultValue={-18}
                  display={db(track.compressor.thresholdDb)}
                  gesture={`thr:${track.id}`}
                  onChange={(thresholdDb, g) => update({ compressor: { thresholdDb } }, g)}
                />
                <Slider
                  label={t('track.ratio')}
                  value={track.compressor.ratio}
                  min={1}
                  max={20}
                  step={0.1}
                  defaultValue={3}
                  display={t('unit.ratio', { value: formatNumber(locale, track.compressor.ratio) ?? '' })}
                  gesture={`ratio:${track.id}`}
                  onChange={(ratio, g) => update({ compressor: { ratio } }, g)}
                />
                <Slider
                  label={t('track.attack')}
                  value={track.compressor.attackMs}
                  min={0.1}
                  max={200}
                  step={0.1}
                  defaultValue={10}
                  display={t('unit.ms', { value: formatNumber(locale, track.compressor.attackMs) ?? '' })}
                  gesture={`att:${track.id}`}
                  onChange={(attackMs, g) => update({ compressor: { attackMs } }, g)}
                />
                <Slider
                  label={t('track.release')}
                  value={track.compressor.releaseMs}
                  min={5}
                  max={2000}
                  step={1}
                  defaultValue={120}
                  display={t('unit.ms', { value: formatNumber(locale, track.compressor.releaseMs, 0) ?? '' })}
                  gesture={`rel:${track.id}`}
                  onChange={(releaseMs, g) => update({ compressor: { releaseMs } }, g)}
                />
                <Slider
                  label={t('track.makeup')}
                  value={track.compressor.makeupDb}
                  min={0}
                  max={24}
                  step={0.5}
                  defaultValue={0}
                  display={db(track.compressor.makeupDb)}
                  gesture={`mk:${track.id}`}
                  onChange={(makeupDb, g) => update({ compressor: { makeupDb } }, g)}
                />
              </fieldset>
            </div>
          </div>
        )}
      </div>
      <div className="strip-wave">
        {audio ? (
          <Clip
            track={track}
            audio={audio}
            view={props.view}
            edges={props.edges}
            name={name}
            muted={silenced}
            colour={trackColour(track.id)}
          />
        ) : (
          <MissingAudio track={track} name={name} />
        )}
      </div>
    </li>
  );
}

/**
 * The strip's peak meter (left and right, post-fader) with its clip light. Drawn every frame by
 * writing the bars' style directly: no React render per frame, whatever the number of tracks.
 */
function StripMeter({ trackId, name }: { trackId: string; name: string }) {
  const controller = useController();
  const { t } = useT();
  const lit = useStore(controller.audio.clips, (s) => s.has(trackId));
  const left = useRef<HTMLSpanElement>(null);
  const right = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    let level = SILENT;
    let last = performance.now();
    let frame = 0;
    const tick = (now: number) => {
      const peaks = controller.audio.trackPeaks(trackId) ?? { left: 0, right: 0 };
      level = nextLevel(level, peaks, (now - last) / 1000);
      last = now;
      if (clipped(peaks)) controller.audio.clips.dispatch({ type: 'clip', id: trackId });
      if (left.current) left.current.style.transform = `scaleY(${meterFill(level.left)})`;
      if (right.current) right.current.style.transform = `scaleY(${meterFill(level.right)})`;
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [controller, trackId]);
  const label = lit ? t('track.clipOn', { name }) : t('track.clipOff', { name });
  return (
    <div className="strip-meter">
      <button
        type="button"
        className={`clip-light ${lit ? 'is-on' : ''}`}
        aria-label={label}
        title={label}
        data-testid="clip-light"
        onClick={() => controller.audio.clips.dispatch({ type: 'clear', id: trackId })}
      />
      <div className="strip-meter-bars" aria-hidden="true" data-testid="track-meter">
        <span className="strip-meter-bar" ref={left} />
        <span className="strip-meter-bar" ref={right} />
      </div>
    </div>
  );
}

/** The send slider's bottom: below its −60 dB, the send is off. */
const SEND_OFF = -60.5;

/** Where each band's frequency may move; a log travel, as ears hear pitch. */
const EQ_FREQ_RANGE = {
  low: [20, 500],
  mid: [100, 10_000],
  high: [1_500, 20_000],
} as const satisfies Record<'low' | 'mid' | 'high', readonly [number, number]>;
const Q_RANGE = [0.2, 12] as const;

function logPosition(value: number, [low, high]: readonly [number, number]): number {
  return Math.min(1, Math.max(0, Math.log(value / low) / Math.log(high / low)));
}
function logValue(position: number, [low, high]: readonly [number, number]): number {
  return low * (high / low) ** position;
}

/**
 * "Audio missing": for a track of a project main opened or saved, a Locate… button (main asks for
 * the file and relinks the other missing files of its folder); otherwise, import the file again.
 */
function MissingAudio({ track, name }: { track: Track; name: string }) {
  const controller = useController();
  const { t } = useT();
  const locatable = useStore(controller.projects.locatable, (s) => s.has(track.id));
  const file = track.source.path;
  if (!locatable)
    return (
      <p className="missing" title={file}>
        {t('track.missing', { file })}
      </p>
    );
  return (
    <div className="missing">
      <span className="missing-file" title={file}>
        {t('track.missingFile', { file })}
      </span>
      <button
        type="button"
        className="locate"
        title={t('track.locateHint', { name })}
        onClick={() => void controller.projects.locate(track.id)}
      >
        {t('track.locate')}
      </button>
    </div>
  );
}
