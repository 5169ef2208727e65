import { useId } from 'react';
import type { ExportRate } from '../../contracts/export';
import { songDuration } from '../app/song';
import { formatNumber } from '../i18n';
import { exportEstimate, FORMAT_ORDER, stemSelection, toggleStem } from '../state/export-view';
import type { ExportPatch } from '../state/mix';
import { useStore } from '../state/store';
import { useController, useT } from './context';
import { Modal } from './Modal';

const RATES: readonly ExportRate[] = ['session', 44100, 48000];

/** A rate as musicians write it: 44.1 kHz, 48 kHz. */
export function useRateLabel(): (hz: number) => string {
  const { t, locale } = useT();
  return (hz) =>
    t('unit.khz', { value: formatNumber(locale, hz / 1000, Number.isInteger(hz / 1000) ? 0 : 1) ?? '' });
}

/**
 * The export dialog (an export already granted by main): format, rate, tags, stems, the size it will
 * take and where it goes. Every choice is the project's (undoable, autosaved) and stays for next time.
 */
export function ExportDialog({ lastPath }: { lastPath: string | null }) {
  const controller = useController();
  const { t, locale } = useT();
  const ids = { format: useId(), rate: useId(), title: useId(), artist: useId(), stems: useId() };
  const project = useStore(controller.mix, (s) => s.present);
  const library = useStore(controller.audio.library, (s) => s);
  const rateLabel = useRateLabel();
  const settings = project.export;
  const tracks = project.tracks;
  const change = (patch: ExportPatch, gesture?: string) =>
    controller.mix.dispatch({ type: 'setExport', patch, gesture });
  const endGesture = () => controller.mix.dispatch({ type: 'endGesture' });
  const seconds = songDuration(tracks, library);
  const estimate = exportEstimate(settings, tracks, seconds, project.sampleRate);
  const size = formatNumber(locale, estimate.megabytes, 1) ?? '0';
  const selected = stemSelection(tracks, settings);
  const stemsFolder = `${controller.renders.baseName()} - stems`;

  return (
    <Modal
      title={t('export.title')}
      onClose={() => controller.renders.cancelExport()}
      testId="export-dialog"
      wide
    >
      <form
        className="export-form"
        onSubmit={(e) => {
          e.preventDefault();
          void controller.renders.confirmExport();
        }}
      >
        <fieldset className="export-formats">
          <legend>{t('export.format')}</legend>
          {FORMAT_ORDER.map((format) => (
            <label key={format} className={`choice ${settings.format === format ? 'is-on' : ''}`}>
              <input
                type="radio"
                name={ids.format}
                value={format}
                checked={settings.format === format}
                data-autofocus={settings.format === format ? true : undefined}
                onChange={() => change({ format })}
              />
              {t(`export.format.${format}`)}
            </label>
          ))}
        </fieldset>

        <fieldset className="export-rates">
          <legend>{t('export.rate')}</legend>
          {RATES.map((rate) => (
            <label key={rate} className={`choice ${settings.rate === rate ? 'is-on' : ''}`}>
              <input
                type="radio"
                name={ids.rate}
                value={String(rate)}
                checked={settings.rate === rate}
                onChange={() => change({ rate })}
              />
              {rate === 'session'
                ? t('export.rate.session', { rate: rateLabel(project.sampleRate) })
                : rateLabel(rate)}
            </label>
          ))}
        </fieldset>

        <fieldset className="export-tags">
          <legend>{t('export.tags')}</legend>
          <label htmlFor={ids.title}>{t('export.tagTitle')}</label>
          <input
            id={ids.title}
            type="text"
            maxLength={200}
            value={settings.tags.title}
            onChange={(e) => change({ tags: { title: e.currentTarget.value } }, 'export-title')}
            onBlur={endGesture}
          />
          <label htmlFor={ids.artist}>{t('export.tagArtist')}</label>
          <input
            id={ids.artist}
            type="text"
            maxLength={200}
            value={settings.tags.artist}
            onChange={(e) => change({ tags: { artist: e.currentTarget.value } }, 'export-artist')}
            onBlur={endGesture}
          />
        </fieldset>

        <div className="export-stems">
          <label className="choice">
            <input
              type="checkbox"
              checked={settings.stems}
              onChange={(e) => change({ stems: e.currentTarget.checked })}
            />
            {t('export.stems')}
          </label>
          {settings.stems && (
            <fieldset className="stem-list">
              <legend className="sr-only">{t('export.stemsList')}</legend>
              {tracks.map((track) => {
                const on = selected.has(track.id);
                const last = on && selected.size === 1;
                return (
                  <label
                    key={track.id}
                    className="choice stem-choice"
                    title={last ? t('export.stemLast') : undefined}
                  >
                    <input
                      type="checkbox"
                      checked={on}
                      disabled={last}
                      onChange={(e) => {
                        const next = toggleStem(tracks, settings, track.id, e.currentTarget.checked);
                        if (next) change({ stemTrackIds: next });
                      }}
                    />
                    {track.name}
                  </label>
                );
              })}
            </fieldset>
          )}
        </div>

        <dl className="export-facts">
          <dt>{t('export.size')}</dt>
          <dd data-testid="export-estimate">
            {estimate.files > 1
              ? t('export.estimateFiles', { size, count: estimate.files })
              : t('export.estimate', { size })}
          </dd>
          <dt>{t('export.where')}</dt>
          <dd data-testid="export-where">
            {settings.stems ? t('export.whereStems', { name: stemsFolder }) : t('export.whereNext')}
            {lastPath && (
              <span className="muted export-last">{t('export.lastPath', { path: lastPath })}</span>
            )}
          </dd>
        </dl>

        <div className="modal-actions">
          <button type="button" className="button ghost" onClick={() => controller.renders.cancelExport()}>
            {t('export.cancel')}
          </button>
          <button type="submit" className="button primary">
            {settings.stems ? t('export.goStems', { count: selected.size }) : t('export.go')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
