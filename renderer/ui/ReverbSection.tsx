import { DEFAULT_REVERB_BUS, type ReverbBusSettings } from '../../contracts/project';
import { formatNumber } from '../i18n';
import { useStore } from '../state/store';
import { useController, useT } from './context';
import { Slider } from './Slider';

/** The return slider's bottom: below its −60 dB the return is off (−96 dB, as the master's fader). */
const RETURN_OFF = -60.5;
const DECAY_RANGE = [0.1, 20] as const;

/**
 * The shared reverb bus beside the master: its return level and its room (size, decay, damping,
 * pre-delay). Each control is one undo step per gesture, arrow keys move it, double-click resets it.
 */
export function ReverbSection() {
  const controller = useController();
  const { t, locale } = useT();
  const bus = useStore(controller.mix, (s) => s.present.reverb);
  const set = (patch: Partial<ReverbBusSettings>, gesture: string) =>
    controller.mix.dispatch({ type: 'setReverb', patch, gesture });
  const percent = (v: number) => t('unit.percent', { value: formatNumber(locale, v * 100, 0) ?? '' });
  return (
    <section className="reverb" aria-label={t('reverb.region')} data-testid="reverb">
      <h2>{t('reverb.title')}</h2>
      <Slider
        label={t('reverb.return')}
        title={t('reverb.returnHint')}
        value={bus.returnDb <= -96 ? RETURN_OFF : bus.returnDb}
        min={RETURN_OFF}
        max={6}
        step={0.5}
        defaultValue={DEFAULT_REVERB_BUS.returnDb}
        display={
          bus.returnDb <= -96
            ? t('unit.off')
            : t('unit.db', { value: formatNumber(locale, bus.returnDb) ?? '' })
        }
        gesture="reverb-return"
        keyStep={0.5}
        onChange={(v, g) => set({ returnDb: v <= RETURN_OFF ? -96 : v }, g)}
      />
      <Slider
        label={t('reverb.size')}
        value={bus.size}
        min={0}
        max={1}
        step={0.01}
        defaultValue={DEFAULT_REVERB_BUS.size}
        display={percent(bus.size)}
        gesture="reverb-size"
        keyStep={0.01}
        onChange={(size, g) => set({ size }, g)}
      />
      <Slider
        label={t('reverb.decay')}
        value={bus.decaySec}
        min={0}
        max={1000}
        step={1}
        defaultValue={DEFAULT_REVERB_BUS.decaySec}
        display={t('unit.sec', {
          value: formatNumber(locale, bus.decaySec, bus.decaySec < 10 ? 2 : 1) ?? '',
        })}
        gesture="reverb-decay"
        // A log travel: tenths of a second matter in a short room, whole seconds in a cathedral.
        toPosition={(v) => Math.round(logPosition(v, DECAY_RANGE) * 1000)}
        fromPosition={(p) => Math.round(logValue(p / 1000, DECAY_RANGE) * 100) / 100}
        keyStep={0.05}
        onChange={(decaySec, g) => set({ decaySec }, g)}
      />
      <Slider
        label={t('reverb.damping')}
        value={bus.damping}
        min={0}
        max={1}
        step={0.01}
        defaultValue={DEFAULT_REVERB_BUS.damping}
        display={percent(bus.damping)}
        gesture="reverb-damping"
        keyStep={0.01}
        onChange={(damping, g) => set({ damping }, g)}
      />
      <Slider
        label={t('reverb.preDelay')}
        value={bus.preDelayMs}
        min={0}
        max={250}
        step={1}
        defaultValue={DEFAULT_REVERB_BUS.preDelayMs}
        display={t('unit.ms', { value: formatNumber(locale, bus.preDelayMs, 0) ?? '' })}
        gesture="reverb-predelay"
        keyStep={1}
        onChange={(preDelayMs, g) => set({ preDelayMs }, g)}
      />
    </section>
  );
}

function logPosition(value: number, [low, high]: readonly [number, number]): number {
  return Math.min(1, Math.max(0, Math.log(value / low) / Math.log(high / low)));
}
function logValue(position: number, [low, high]: readonly [number, number]): number {
  return low * (high / low) ** position;
}
