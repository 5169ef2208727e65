import { useEffect, useState } from 'react';
import type { DeskController } from '../app/controller';
import { useStore } from '../state/store';
import { KEY_ZOOM } from '../state/timeline-view';
import { AuthModal } from './AuthModal';
import { CheckoutPanel } from './CheckoutPanel';
import { ControllerContext, useController, useT } from './context';
import { Desk } from './Desk';
import { BillingBanner } from './BillingBanner';
import { Header } from './Header';
import { InvoicesModal } from './InvoicesModal';
import { PricingModal } from './PricingModal';
import { RefusalModal } from './RefusalModal';
import { RenderPanel } from './RenderPanel';
import { SettingsModal } from './SettingsModal';
import { DevicesModal } from './DevicesModal';
import { Toasts } from './Toasts';

export function App({ controller }: { controller: DeskController }) {
  return (
    <ControllerContext value={controller}>
      <Shell />
    </ControllerContext>
  );
}

/** Typing in a field must not trigger the desk's shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return (
    el.tagName === 'INPUT' &&
    !['range', 'checkbox', 'radio', 'button'].includes((el as HTMLInputElement).type)
  );
}

function Shell() {
  const controller = useController();
  const { t, locale } = useT();
  const modal = useStore(controller.session, (s) => s.modal);
  const checkoutOpen = useStore(controller.session, (s) => s.checkoutOpen);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('app.title');
  }, [locale, t]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (document.querySelector('[aria-modal="true"]')) return;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === 'z') {
        if (isTyping(event.target)) return;
        event.preventDefault();
        controller.mix.dispatch({ type: event.shiftKey ? 'redo' : 'undo' });
      } else if (mod && event.key.toLowerCase() === 'y') {
        if (isTyping(event.target)) return;
        event.preventDefault();
        controller.mix.dispatch({ type: 'redo' });
      } else if (event.key === ' ' && !mod) {
        const el = event.target as HTMLElement | null;
        // Space on a button presses it; anywhere else it is play/pause.
        if (isTyping(el) || el?.tagName === 'BUTTON' || el?.tagName === 'SUMMARY') return;
        event.preventDefault();
        void controller.audio.togglePlay();
      } else if (event.key === 'Home' && !mod && !event.altKey) {
        // A slider or the start field uses Home itself (and says so by preventing the default).
        if (isTyping(event.target) || event.defaultPrevented) return;
        event.preventDefault();
        controller.audio.seek(0);
      } else if (!mod && !event.altKey && ['+', '=', '-', '−'].includes(event.key)) {
        // + and − zoom the timeline ("=" is + without Shift on many keyboards).
        if (isTyping(event.target)) return;
        event.preventDefault();
        controller.zoomBy(event.key === '+' || event.key === '=' ? KEY_ZOOM : 1 / KEY_ZOOM);
      } else if (
        !mod &&
        !event.altKey &&
        (event.key === 'm' || event.key === 's' || event.key === 'M' || event.key === 'S')
      ) {
        if (isTyping(event.target)) return;
        const strip = (event.target as HTMLElement | null)?.closest?.('[data-track-id]');
        const id = strip?.getAttribute('data-track-id');
        const track = controller.mix.getState().present.tracks.find((t) => t.id === id);
        if (!track) return;
        event.preventDefault();
        const patch = event.key.toLowerCase() === 'm' ? { mute: !track.mute } : { solo: !track.solo };
        controller.mix.dispatch({ type: 'updateTrack', id: track.id, patch });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

  const onDrop = (event: React.DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length > 0) void controller.audio.importFiles(files);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dropping files is the mouse path; the Import button is the keyboard one
    <div
      className={`app ${dragging ? 'is-dragging' : ''}`}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      {/* One grid row for the header and the banner that may come under it. */}
      <div>
        <Header />
        <BillingBanner />
      </div>
      <Desk />
      <RenderPanel />
      {checkoutOpen && <CheckoutPanel />}
      {modal?.type === 'pricing' && <PricingModal />}
      {modal?.type === 'refusal' && <RefusalModal refusal={modal.refusal} />}
      {modal?.type === 'auth' && <AuthModal mode={modal.mode} />}
      {modal?.type === 'settings' && <SettingsModal />}
      {modal?.type === 'invoices' && <InvoicesModal />}
      {modal?.type === 'devices' && <DevicesModal />}
      <Toasts />
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          {t('desk.dropHint')}
        </div>
      )}
    </div>
  );
}
