import { useEffect } from 'react';
import { lowerMasterForClipping } from '../app/clipping-notice';
import { toastLifetime } from '../state/session';
import { useStore } from '../state/store';
import { useController, useT } from './context';

/**
 * Messages at the bottom right; information and warnings leave by themselves, errors stay until
 * dismissed. They sit under any dialog's backdrop (see `.toasts` in the styles), never over a dialog.
 */
export function Toasts() {
  const controller = useController();
  const { t } = useT();
  const notices = useStore(controller.session, (s) => s.notices);
  useEffect(() => {
    const timers = notices
      .map((n) => ({ n, after: toastLifetime(n) }))
      .filter(({ after }) => after !== null)
      .map(({ n, after }) =>
        setTimeout(() => controller.session.dispatch({ type: 'dismiss', id: n.id }), after as number),
      );
    return () => timers.forEach(clearTimeout);
  }, [notices, controller]);
  return (
    <div className="toasts" aria-live="polite">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`toast is-${n.level}`}
          role={n.level === 'error' ? 'alert' : 'status'}
          data-testid="toast"
        >
          {n.action ? (
            // The words, and the action's button under them.
            <div className="toast-offer">
              <span>{n.text}</span>
              <button
                type="button"
                className="button primary"
                data-testid="notice-action"
                onClick={() => {
                  if (n.action) lowerMasterForClipping(controller, n.action);
                  controller.session.dispatch({ type: 'dismiss', id: n.id });
                }}
              >
                {n.action.label}
              </button>
            </div>
          ) : (
            <span>{n.text}</span>
          )}
          {n.undo && (
            <button
              type="button"
              className="link"
              onClick={() => {
                controller.mix.dispatch({ type: 'undo' });
                controller.session.dispatch({ type: 'dismiss', id: n.id });
              }}
            >
              {t('desk.undo')}
            </button>
          )}
          <button
            type="button"
            className="icon-button"
            aria-label={t('desk.dismiss')}
            onClick={() => controller.session.dispatch({ type: 'dismiss', id: n.id })}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
