import { useEffect, useRef } from 'react';
import { songDuration } from '../app/song';
import { anySoloOf } from '../audio/params';
import { clipBounds } from '../state/clip-edit';
import { useStore } from '../state/store';
import { canRedo, canUndo } from '../state/mix';
import { isBusy } from '../state/render';
import { visibleWindow } from '../state/timeline-view';
import { useController, useT } from './context';
import { MasterSection } from './MasterSection';
import { Timeline } from './Timeline';
import { ReverbSection } from './ReverbSection';
import { TrackStrip } from './TrackStrip';
import { Transport } from './Transport';

export function Desk() {
  const controller = useController();
  const { t } = useT();
  const tracks = useStore(controller.mix, (s) => s.present.tracks);
  const library = useStore(controller.audio.library, (s) => s);
  const busy = useStore(controller.audio.busy, (s) => s);
  const duration = songDuration(tracks, library);
  const anySolo = anySoloOf(tracks);
  const bounds = new Map(
    tracks.flatMap((t) => {
      const audio = library[t.id];
      return audio ? [[t.id, clipBounds(t, audio.duration)] as const] : [];
    }),
  );
  const view = visibleWindow(
    useStore(controller.view, (s) => s),
    duration,
  );
  const section = useRef<HTMLElement>(null);
  const durationNow = useRef(duration);
  durationNow.current = duration;
  useEffect(() => {
    const el = section.current;
    if (!el) return;
    // Ctrl+wheel zooms around the pointer; a sideways wheel (or Shift+wheel) scrolls when zoomed.
    // Not React's onWheel: it is passive, and the page must not zoom or scroll instead.
    const onWheel = (e: WheelEvent) => {
      const ruler = el.querySelector('[data-testid="timeline"]');
      if (!ruler) return;
      const box = ruler.getBoundingClientRect();
      const durationSec = durationNow.current;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const anchor = (e.clientX - box.left) / Math.max(1, box.width);
        const factor = 2 ** (-e.deltaY / 200);
        controller.view.dispatch({ type: 'zoom', factor, anchor, durationSec });
        return;
      }
      const dx = e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX;
      const state = controller.view.getState();
      const sideways = e.shiftKey || Math.abs(dx) > Math.abs(e.deltaY);
      if (dx === 0 || state.spanSec === null || !sideways) return;
      e.preventDefault();
      const shown = visibleWindow(state, durationSec);
      controller.view.dispatch({
        type: 'scroll',
        startSec: shown.startSec + (dx / Math.max(1, box.width)) * shown.spanSec,
        durationSec,
      });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [controller]);
  const edgesBut = (id: string) =>
    [...bounds].filter(([other]) => other !== id).flatMap(([, b]) => [b.start, b.end]);

  return (
    <main className="desk">
      <Toolbar />
      <div className="desk-body">
        <section ref={section} className="tracks" aria-label={t('desk.tracks')}>
          {tracks.length === 0 ? (
            <EmptyState />
          ) : (
            <>
              <Timeline duration={duration} />
              <ol className="track-list" id="track-lanes">
                {tracks.map((track, index) => (
                  <TrackStrip
                    key={track.id}
                    track={track}
                    index={index}
                    count={tracks.length}
                    audio={library[track.id] ?? null}
                    view={view}
                    anySolo={anySolo}
                    edges={edgesBut(track.id)}
                  />
                ))}
              </ol>
            </>
          )}
          {busy && (
            <p className="busy-line" role="status">
              {busy}
            </p>
          )}
        </section>
        <div className="desk-side">
          <MasterSection />
          <ReverbSection />
        </div>
      </div>
      <Transport duration={duration} />
    </main>
  );
}

function ImportButton({ primary }: { primary?: boolean }) {
  const controller = useController();
  const { t } = useT();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className={`button ${primary ? 'primary large' : ''}`}
        onClick={() => input.current?.click()}
      >
        {t('desk.import')}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        multiple
        data-testid="import-input"
        accept="audio/*,.wav,.wave,.aif,.aiff,.aifc,.mp3,.flac,.ogg,.oga,.opus"
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          if (files.length > 0) void controller.audio.importFiles(files);
        }}
      />
    </>
  );
}

function EmptyState() {
  const { t } = useT();
  return (
    <div className="empty">
      <div className="empty-art" aria-hidden="true">
        {Array.from({ length: 24 }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed decoration
          <span key={i} style={{ height: `${20 + 60 * Math.abs(Math.sin(i * 0.7))}%` }} />
        ))}
      </div>
      <h1>{t('desk.emptyTitle')}</h1>
      <p>{t('desk.emptyBody')}</p>
      <ImportButton primary />
      <p className="hint">{t('desk.dropHint')}</p>
    </div>
  );
}

function Toolbar() {
  const controller = useController();
  const { t } = useT();
  const undo = useStore(controller.mix, canUndo);
  const redo = useStore(controller.mix, canRedo);
  const rendering = useStore(controller.renders.state, isBusy);
  return (
    <div className="toolbar" role="toolbar" aria-label={t('desk.actions')}>
      <div className="toolbar-group">
        <ImportButton />
        <button
          type="button"
          className="button ghost"
          disabled={!undo}
          onClick={() => controller.mix.dispatch({ type: 'undo' })}
        >
          {t('desk.undo')}
        </button>
        <button
          type="button"
          className="button ghost"
          disabled={!redo}
          onClick={() => controller.mix.dispatch({ type: 'redo' })}
        >
          {t('desk.redo')}
        </button>
      </div>
      <div className="toolbar-group">
        <button type="button" className="button ghost" onClick={() => void controller.projects.open()}>
          {t('desk.open')}
        </button>
        <button type="button" className="button ghost" onClick={() => void controller.projects.save(false)}>
          {t('desk.save')}
        </button>
        <button type="button" className="button ghost" onClick={() => void controller.projects.save(true)}>
          {t('desk.saveAs')}
        </button>
        <span className="toolbar-sep" aria-hidden="true" />
        <button
          type="button"
          className="button"
          disabled={rendering}
          onClick={() => void controller.renders.exportOrMaster('master')}
        >
          {t('desk.master')}
        </button>
        <button
          type="button"
          className="button primary"
          disabled={rendering}
          onClick={() => void controller.renders.exportOrMaster('export')}
        >
          {t('desk.export')}
        </button>
      </div>
    </div>
  );
}
