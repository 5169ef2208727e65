import { useEffect, useState } from 'react';
import type { DevicesResponse } from '../../contracts/api';
import { formatDate } from '../i18n';
import { useStore } from '../state/store';
import type { Text } from '../state/text';
import { useController, useT } from './context';
import { Modal } from './Modal';

/** The devices holding a place on the account; any other one can be signed out to free its place. */
export function DevicesModal() {
  const controller = useController();
  const { t, tx, locale } = useT();
  const thisDevice = useStore(controller.session, (s) => s.info?.deviceId ?? null);
  const [list, setList] = useState<DevicesResponse | null>(null);
  const [error, setError] = useState<Text | null>(null);

  useEffect(() => {
    void controller.account.devices().then((r) => (r.ok ? setList(r.value) : setError(r.error)));
  }, [controller]);

  const signOut = async (deviceId: string) => {
    const r = await controller.account.signOutDevice(deviceId);
    if (r.ok) setList(r.value);
    else setError(r.error);
  };

  return (
    <Modal title={t('devices.title')} onClose={() => controller.closeModal()} testId="devices">
      {list && (
        <p className="muted">{t('devices.limit', { count: list.devices.length, limit: list.limit })}</p>
      )}
      {error && <p className="error">{tx(error)}</p>}
      {list && (
        <ul className="devices">
          {list.devices.map((d) => (
            <li key={d.deviceId} data-testid="device">
              <span>
                <strong>{d.name ?? t('devices.unnamed')}</strong>
                {d.deviceId === thisDevice && <span className="chip">{t('devices.this')}</span>}
                <br />
                <span className="muted">
                  {t('devices.lastSeen', { date: formatDate(locale, d.lastSeenAt) })}
                </span>
              </span>
              {d.deviceId !== thisDevice && (
                <button type="button" className="button ghost" onClick={() => void signOut(d.deviceId)}>
                  {t('devices.signOut')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={() => controller.closeModal()}>
          {t('devices.close')}
        </button>
      </div>
    </Modal>
  );
}
