import { formatNumber } from '../i18n';
import { loudnessMatch } from '../state/loudness-match';
import { useStore } from '../state/store';
import { useController, useT } from './context';
import { ExportDialog } from './ExportDialog';
import { Modal } from './Modal';

/**
 * The export dialog, the render's progress (with Cancel) and, for a master, the before/after report
 * with a loudness-matched A/B.
 */
export function RenderPanel() {
  const controller = useController();
  const { t, locale } = useT();
  const state = useStore(controller.renders.state, (s) => s);
  const format = useStore(controller.mix, (s) => s.present.export.format);
  if (state.phase === 'idle') return null;
  if (state.phase === 'choosing') return <ExportDialog lastPath={state.lastPath} />;
  if (state.phase === 'authorizing' || state.phase === 'saving') {
    return (
      <div className="render-bar" role="status">
        <span className="spinner" aria-hidden="true" />
        {t('render.checking')}
      </div>
    );
  }
  if (state.phase === 'rendering') {
    const percent = Math.round(state.progress * 100);
    const label = state.stem
      ? t('export.stemProgress', { index: state.stem.index, count: state.stem.count, percent })
      : t(state.kind === 'export' ? 'render.exporting' : 'render.mastering', { percent });
    return (
      <div className="render-bar" role="status" data-testid="render-progress">
        <span>{label}</span>
        <progress max={100} value={percent} aria-label={label} />
        <button type="button" className="button ghost" onClick={() => controller.renders.cancel()}>
          {t('render.cancel')}
        </button>
      </div>
    );
  }
  const { report } = state;
  const lufs = (v: number | null) => {
    const value = formatNumber(locale, v);
    return value === null ? t('unit.none') : t('unit.lufs', { value });
  };
  const dbtp = (v: number | null) => {
    const value = formatNumber(locale, v);
    return value === null ? t('unit.none') : t('unit.dbtp', { value });
  };
  const lu = (v: number) => t('unit.lu', { value: formatNumber(locale, v) ?? '' });
  const match = loudnessMatch(report.before.integratedLufs, report.after.integratedLufs);
  const db = (v: number) => t('unit.db', { value: formatNumber(locale, v) ?? '' });
  const louder = match.turnedDown;
  const matchText =
    report.before.integratedLufs === null || report.after.integratedLufs === null
      ? t('report.unmeasured')
      : louder === null
        ? t('report.matchedEqual')
        : state.matched
          ? t('report.matched', { value: db(-match.byDb).replace('-', '−'), side: louder })
          : t('report.unmatched', { value: db(match.byDb), side: louder });
  return (
    <Modal
      title={t('report.title')}
      onClose={() => controller.renders.discardMaster()}
      testId="master-report"
    >
      <p className="muted">
        {t('report.target', { lufs: lufs(report.targetLufs), dbtp: dbtp(report.ceilingDbtp) })} ·{' '}
        {t('report.gainApplied', {
          value: t('unit.db', { value: formatNumber(locale, report.gainAppliedDb) ?? '' }),
        })}
      </p>
      <table className="report">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">{t('report.before')}</th>
            <th scope="col">{t('report.after')}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{t('report.integrated')}</th>
            <td>{lufs(report.before.integratedLufs)}</td>
            <td className="strong">{lufs(report.after.integratedLufs)}</td>
          </tr>
          <tr>
            <th scope="row">{t('report.truePeak')}</th>
            <td>{dbtp(report.before.truePeakDbtp)}</td>
            <td className="strong">{dbtp(report.after.truePeakDbtp)}</td>
          </tr>
          <tr>
            <th scope="row">{t('report.range')}</th>
            <td>{lu(report.before.loudnessRangeLu)}</td>
            <td>{lu(report.after.loudnessRangeLu)}</td>
          </tr>
        </tbody>
      </table>
      <fieldset className="ab">
        <legend className="sr-only">{t('report.listen')}</legend>
        <button
          type="button"
          className={`button ${state.playing ? 'is-on' : ''}`}
          onClick={() => controller.renders.toggleAB()}
        >
          {state.playing ? t('report.stop') : t('report.play')}
        </button>
        <div className="segmented">
          {(['A', 'B'] as const).map((side) => (
            <button
              key={side}
              type="button"
              aria-pressed={state.listening === side}
              className={state.listening === side ? 'is-on' : ''}
              onClick={() => controller.renders.listen(side)}
            >
              {t(side === 'A' ? 'report.listenA' : 'report.listenB')}
            </button>
          ))}
        </div>
      </fieldset>
      <div className="ab-match">
        <label className="choice">
          <input
            type="checkbox"
            checked={state.matched}
            onChange={(e) => controller.renders.setMatched(e.currentTarget.checked)}
          />
          {t('report.match')}
        </label>
        <p className="muted" role="status" data-testid="ab-match">
          {matchText}
        </p>
      </div>
      <div className="modal-actions">
        <button type="button" className="button ghost" onClick={() => controller.renders.discardMaster()}>
          {t('report.discard')}
        </button>
        <button
          type="button"
          className="button primary"
          data-autofocus
          onClick={() => void controller.renders.saveMaster()}
        >
          {t('report.save', { format: t(`export.format.${format}`) })}
        </button>
      </div>
    </Modal>
  );
}
