import { useEffect, useState } from 'react';
import { DEFAULT_EQ, type Track } from '../../contracts/project';
import type { TrackAudio } from '../app/audio-session';
import { dbToFader, faderToDb, panLabel } from '../audio/params';
import { formatNumber } from '../i18n';
import type { TrackPatch } from '../state/mix';
import { useController, useT } from './context';
import { Slider } from './Slider';
import { StartField } from './StartField';
import { Waveform } from './Waveform';

export function TrackStrip(props: {
  track: Track;
  index: number;
  count: number;
  audio: TrackAudio | null;
  duration: number;
}) {
  const controller = useController();
  const { t, locale } = useT();
  const { track, index, count, audio } = props;
  const name = track.name || t('track.untitled');
  const [draft, setDraft] = useState(track.name);
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
      className={`strip ${track.mute ? 'is-muted' : ''} ${track.solo ? 'is-solo' : ''}`}
      aria-label={t('track.strip', { name })}
      data-testid="strip"
    >
      <div className="strip-controls">
        <div className="strip-top">
          <input
            className="strip-name"
            aria-label={t('track.name')}
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
            className={`toggle mute ${track.mute ? 'is-on' : ''}`}
            aria-pressed={track.mute}
            onClick={() => update({ mute: !track.mute })}
          >
            {t('track.mute')}
          </button>
          <button
            type="button"
            className={`toggle solo ${track.solo ? 'is-on' : ''}`}
            aria-pressed={track.solo}
            onClick={() => update({ solo: !track.solo })}
          >
            {t('track.solo')}
          </button>
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
          <StartField
            value={track.startOffsetSec}
            onChange={(startOffsetSec) => update({ startOffsetSec })}
          />
        </div>
        <div className="strip-bottom">
          <details className="more">
            <summary>
              {t('track.eq')} · {t('track.compressor')}
              <span className="sr-only">{t('track.strip', { name })}</span>
              {track.compressor.enabled && <span className="dot" aria-hidden="true" />}
            </summary>
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
          </details>
        </div>
      </div>
      <div className="strip-wave">
        {audio ? (
          <Waveform
            audio={audio}
            offset={track.startOffsetSec}
            duration={props.duration}
            label={t('track.waveform', { name })}
            muted={track.mute}
          />
        ) : (
          <p className="missing">{t('track.missing', { file: track.source.path })}</p>
        )}
      </div>
    </li>
  );
}

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
