import { useStore } from '../state/store';
import { useController, useT } from './context';
import { Modal } from './Modal';

export function SettingsModal() {
  const controller = useController();
  const { t, locale } = useT();
  const info = useStore(controller.session, (s) => s.info);
  return (
    <Modal title={t('settings.title')} onClose={() => controller.closeModal()} testId="settings">
      <fieldset className="radio-list">
        <legend>{t('settings.language')}</legend>
        {(['en', 'fr'] as const).map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="locale"
              value={value}
              checked={locale === value}
              onChange={() => void controller.account.setLocale(value)}
            />
            {t(value === 'en' ? 'settings.en' : 'settings.fr')}
          </label>
        ))}
      </fieldset>
      {info && <p className="muted small">{t('settings.version', { version: info.version })}</p>}
      <div className="modal-actions">
        <button type="button" className="button primary" onClick={() => controller.closeModal()}>
          {t('settings.close')}
        </button>
      </div>
    </Modal>
  );
}
