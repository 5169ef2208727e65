import { useStore } from '../state/store';
import { type CheckoutAction, checkoutView } from '../state/checkout-view';
import { useController, useT } from './context';
import { Modal } from './Modal';

/** The purchase while it happens in the browser, and how it ended; driven by checkout.changed. */
export function CheckoutPanel() {
  const controller = useController();
  const { tx } = useT();
  const checkout = useStore(controller.session, (s) => s.checkout);
  const view = checkoutView(checkout);
  if (!view) return null;
  const run = (action: CheckoutAction) => {
    if (action === 'close') controller.account.closeCheckout();
    else if (action === 'restart') {
      controller.account.closeCheckout();
      controller.openModal({ type: 'pricing' });
    } else void controller.account.checkoutAction(action);
  };
  return (
    <Modal
      // A new phase is a new dialog: it takes focus again (its old buttons are gone), so Escape
      // and Tab keep working after "waiting" turns into "you are Pro".
      key={checkout.phase}
      title={tx(view.title)}
      onClose={() => (checkout.phase === 'pending' ? undefined : controller.account.closeCheckout())}
      tone={view.tone}
      testId={`checkout-${checkout.phase}`}
    >
      {view.tone === 'waiting' && (
        <div className="waiting" aria-hidden="true">
          <span />
          <span />
          <span />
        </div>
      )}
      {view.tone === 'success' && (
        <div className="success-mark" aria-hidden="true">
          ✓
        </div>
      )}
      <p className="lead" role="status">
        {tx(view.body)}
      </p>
      <div className="modal-actions">
        {view.actions.map((a) => (
          <button
            key={a.action}
            type="button"
            className={`button ${a.primary ? 'primary' : 'ghost'}`}
            data-autofocus={a.primary ? true : undefined}
            onClick={() => run(a.action)}
          >
            {tx(a.label)}
          </button>
        ))}
      </div>
    </Modal>
  );
}
