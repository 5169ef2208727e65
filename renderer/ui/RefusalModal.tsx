import type { Refusal } from '../../contracts/refusal';
import { type RefusalAction, refusalView } from '../state/refusal-view';
import { useController, useT } from './context';
import { Modal } from './Modal';

export function RefusalModal({ refusal }: { refusal: Refusal }) {
  const controller = useController();
  const { tx, t, locale } = useT();
  const view = refusalView(refusal, locale);
  const run = (action: RefusalAction) => {
    if (action === 'pricing') controller.openModal({ type: 'pricing' });
    else if (action === 'signIn') controller.openModal({ type: 'auth', mode: 'signIn' });
    else if (action === 'signUp') controller.openModal({ type: 'auth', mode: 'signUp' });
    else if (action === 'devices') controller.openModal({ type: 'devices' });
    else {
      controller.closeModal();
      void controller.renders.retry(refusal);
    }
  };
  return (
    <Modal
      title={tx(view.title)}
      onClose={() => controller.closeModal()}
      tone="refusal"
      testId={`refusal-${refusal.reason}`}
    >
      <div className="refusal-icon" aria-hidden="true">
        ◆
      </div>
      <p className="lead">{tx(view.body)}</p>
      <div className="modal-actions">
        <button type="button" className="button ghost" onClick={() => controller.closeModal()}>
          {t('refusal.notNow')}
        </button>
        {view.actions.map((a, i) => (
          <button
            key={a.action}
            type="button"
            className={`button ${i === 0 ? 'accent' : ''}`}
            data-autofocus={i === 0 ? true : undefined}
            onClick={() => run(a.action)}
          >
            {tx(a.label)}
          </button>
        ))}
      </div>
    </Modal>
  );
}
