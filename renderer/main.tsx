import './csp';
import { createRoot } from 'react-dom/client';
import { DeskController } from './app/controller';
import { getBridge } from './bridge';
import { localeFromTag, translator } from './i18n';
import EngineWorker from './audio/engine.worker.ts?worker';
import MeterWorker from './audio/meter.worker.ts?worker';
import workletUrl from './audio/meter-tap.worklet.ts?worker&url';
import mixWorkletUrl from './audio/mix.worklet.ts?worker&url';
import abWorkletUrl from './audio/ab.worklet.ts?worker&url';
import { App } from './ui/App';
import './styles.css';

const root = document.getElementById('root') as HTMLElement;
const bridge = getBridge();
if (!bridge) {
  // Without the preload there is nothing to talk to; say so rather than show a dead desk.
  root.textContent = translator(localeFromTag(navigator.language))('app.noBridge');
} else {
  const controller = new DeskController(
    bridge,
    () => new EngineWorker({ name: 'engine' }),
    () => new MeterWorker({ name: 'meter' }),
    workletUrl,
    mixWorkletUrl,
    abWorkletUrl,
  );
  controller.session.dispatch({ type: 'locale', locale: localeFromTag(navigator.language) });
  createRoot(root).render(<App controller={controller} />);
  void controller.start().then(() => {
    // The desk is interactive: the benchmark reads this mark, the browser tests wait for the attribute.
    performance.mark('siberia:ready');
    document.documentElement.dataset.ready = 'true';
  });
}
