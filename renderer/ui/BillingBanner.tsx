import { formatDate } from '../i18n';
import { attentionView } from '../state/billing-attention-view';
import { useStore } from '../state/store';
import { useController, useT } from './context';

/** A renewal that needs the musician: a failed payment, or one waiting for 3-D Secure. */
export function BillingBanner() {
  const controller = useController();
  const { tx, locale } = useT();
  const entitlements = useStore(controller.session, (s) => s.entitlements);
  const view = attentionView(entitlements, (iso) => formatDate(locale, iso));
  if (!view) return null;
  return (
    <div className="billing-banner" role="alert" data-testid="billing-banner">
      <span>{tx(view.text)}</span>
      <button
        type="button"
        className="button accent"
        onClick={() =>
          void (view.run === 'portal' ? controller.account.openPortal() : controller.account.confirmPayment())
        }
      >
        {tx(view.action)}
      </button>
    </div>
  );
}
