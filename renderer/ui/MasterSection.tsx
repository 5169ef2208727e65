import { dbToFader, faderToDb } from '../audio/params';
import { formatNumber } from '../i18n';
import { useStore } from '../state/store';
import { useController, useT } from './context';
import { Slider } from './Slider';

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
      <p className="shortcuts">{t('desk.shortcuts')}</p>
    </aside>
  );
}
