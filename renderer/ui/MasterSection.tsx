import { useId } from 'react';
import { MASTER_PRESETS, type MasterPresetId } from '../../contracts/export';
import { type Tilt, Tilt as Tilts } from '../../contracts/project';
import { dbToFader, faderToDb } from '../audio/params';
import { formatNumber } from '../i18n';
import type { MasterPatch } from '../state/mix';
import { useStore } from '../state/store';
import { useController, useT } from './context';
import { Slider } from './Slider';

const PRESETS: readonly MasterPresetId[] = ['streaming', 'apple', 'club', 'broadcast', 'custom'];

/** −14, −0.3: whole numbers without a decimal, with a true minus sign. */
function signed(locale: 'en' | 'fr', value: number): string {
  const text = formatNumber(locale, value, Number.isInteger(value) ? 0 : 1) ?? '';
  return text.replace('-', '−');
}

/**
 * The one-click master's choices (Pro: the master itself is gated by main): a preset with its
 * numbers on screen, or one's own target and ceiling; tone and glue. All are the project's, undoable.
 */
function MasterChoices() {
  const controller = useController();
  const { t, locale } = useT();
  const ids = { preset: useId(), tilt: useId(), glue: useId() };
  const master = useStore(controller.mix, (s) => s.present.master);
  const set = (patch: MasterPatch, gesture?: string) =>
    controller.mix.dispatch({ type: 'setMaster', patch, gesture });
  const numbers = (lufs: number, dbtp: number) => ({
    lufs: t('unit.lufs', { value: signed(locale, lufs) }),
    dbtp: t('unit.dbtp', { value: signed(locale, dbtp) }),
  });
  const line = (id: MasterPresetId) =>
    id === 'custom'
      ? t('master.preset.custom')
      : t('master.presetLine', {
          name: t(`master.preset.${id}`),
          ...numbers(MASTER_PRESETS[id].targetLufs, MASTER_PRESETS[id].ceilingDbtp),
        });
  const current = numbers(master.targetLufs, master.ceilingDbtp);
  return (
    <section className="master-choices" aria-label={t('master.choices')} data-testid="master-choices">
      {/* The preset's line is long (name and numbers): its select takes the column's width. */}
      <div className="master-row is-stacked">
        <label className="master-label" htmlFor={ids.preset}>
          {t('master.preset')}
        </label>
        <select
          id={ids.preset}
          value={master.preset}
          onChange={(e) => set({ preset: e.currentTarget.value as MasterPresetId })}
        >
          {PRESETS.map((id) => (
            <option key={id} value={id}>
              {line(id)}
            </option>
          ))}
        </select>
      </div>
      <p className="master-numbers" data-testid="master-numbers">
        {t('master.presetLine', { name: '', ...current }).trim()}
      </p>
      {master.preset === 'custom' && (
        <>
          <Slider
            className="master-fader"
            label={t('master.target')}
            value={master.targetLufs}
            min={-30}
            max={-6}
            step={0.5}
            defaultValue={-14}
            display={current.lufs}
            gesture="master-target"
            keyStep={0.5}
            onChange={(value, gesture) => set({ targetLufs: value }, gesture)}
          />
          <Slider
            className="master-fader"
            label={t('master.ceiling')}
            value={master.ceilingDbtp}
            min={-9}
            max={0}
            step={0.1}
            defaultValue={-1}
            display={current.dbtp}
            gesture="master-ceiling"
            keyStep={0.1}
            onChange={(value, gesture) => set({ ceilingDbtp: value }, gesture)}
          />
        </>
      )}
      <div className="master-row">
        <label className="master-label" htmlFor={ids.tilt}>
          {t('master.tilt')}
        </label>
        <select
          id={ids.tilt}
          value={master.tilt}
          onChange={(e) => set({ tilt: e.currentTarget.value as Tilt })}
        >
          {Tilts.options.map((tilt) => (
            <option key={tilt} value={tilt}>
              {t(`master.tilt.${tilt}`)}
            </option>
          ))}
        </select>
      </div>
      <label className="choice master-check" htmlFor={ids.glue}>
        <input
          id={ids.glue}
          type="checkbox"
          checked={master.glue}
          onChange={(e) => set({ glue: e.currentTarget.checked })}
        />
        {t('master.glue')}
      </label>
    </section>
  );
}

/** Meter scale: −60 … 0 (LUFS or dBTP) over the bar's height. */
const fill = (value: number | null) => (value === null ? 0 : Math.min(1, Math.max(0, (value + 60) / 60)));

export function MasterSection() {
  const controller = useController();
  const { t, locale } = useT();
  const gainDb = useStore(controller.mix, (s) => s.present.master.gainDb);
  const reading = useStore(controller.audio.meter, (r) => r);
  const meters = [
    { key: 'momentary', label: t('master.momentary'), value: reading.momentary, unit: 'unit.lufs' as const },
    { key: 'short', label: t('master.shortTerm'), value: reading.shortTerm, unit: 'unit.lufs' as const },
    { key: 'peak', label: t('master.truePeak'), value: reading.truePeak, unit: 'unit.dbtp' as const },
  ];
  return (
    <aside className="master" aria-label={t('master.title')}>
      <h2>{t('master.title')}</h2>
      <section className="meters" aria-label={t('master.meters')} data-testid="meters">
        {meters.map((m) => {
          const value = formatNumber(locale, m.value);
          const hot = m.key === 'peak' && m.value !== null && m.value > -1;
          return (
            <div key={m.key} className={`meter ${hot ? 'is-hot' : ''}`}>
              <div className="meter-bar" aria-hidden="true">
                <span style={{ height: `${fill(m.value) * 100}%` }} />
              </div>
              <div className="meter-label">{m.label}</div>
              <div className="meter-value" data-testid={`meter-${m.key}`}>
                {value === null ? t('unit.none') : t(m.unit, { value })}
              </div>
            </div>
          );
        })}
      </section>
      <Slider
        className="fader master-fader"
        label={t('master.gain')}
        title={t('track.gainHint')}
        value={gainDb}
        min={0}
        max={1000}
        step={1}
        defaultValue={0}
        display={gainDb <= -96 ? t('unit.off') : t('unit.db', { value: formatNumber(locale, gainDb) ?? '' })}
        gesture="master"
        toPosition={(v) => Math.round(dbToFader(v) * 1000)}
        fromPosition={(p) => Math.round(faderToDb(p / 1000) * 10) / 10}
        keyStep={0.5}
        onChange={(value, gesture) =>
          controller.mix.dispatch({ type: 'setMaster', patch: { gainDb: value }, gesture })
        }
      />
      <MasterChoices />
    </aside>
  );
}
