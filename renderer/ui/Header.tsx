import { useEffect, useRef, useState } from 'react';
import { formatDate } from '../i18n';
import { useStore } from '../state/store';
import { isPro, usageGauge } from '../state/plan-view';
import { useController, useT } from './context';

export function Header() {
  const controller = useController();
  const { t, tx, locale } = useT();
  const account = useStore(controller.session, (s) => s.account);
  const entitlements = useStore(controller.session, (s) => s.entitlements);
  const pro = isPro(entitlements);
  const gauge = usageGauge(entitlements);

  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">{t('app.title')}</span>
        <span className={`plan-badge ${pro ? 'is-pro' : ''}`} data-testid="plan-badge">
          {t(entitlements ? (`plan.${entitlements.plan}` as const) : 'plan.free')}
        </span>
        {entitlements && !entitlements.online && entitlements.source !== 'none' && (
          <span className="offline-badge">{t('header.offline')}</span>
        )}
      </div>
      <div className="topbar-right">
        {gauge && (
          <div className={`usage ${gauge.full ? 'is-full' : ''}`} data-testid="usage-gauge">
            <span>{tx(gauge.text)}</span>
            <span className="usage-bar" aria-hidden="true">
              <span style={{ width: `${gauge.fraction * 100}%` }} />
            </span>
          </div>
        )}
        {!pro && (
          <button
            type="button"
            className="button accent"
            onClick={() => controller.openModal({ type: 'pricing' })}
          >
            {t('header.goPro')}
          </button>
        )}
        {pro && (
          <button
            type="button"
            className="button ghost"
            onClick={() => controller.openModal({ type: 'pricing' })}
          >
            {t('header.plans')}
          </button>
        )}
        <AccountMenu
          email={account.status === 'signed_in' ? account.user.email : null}
          pro={pro}
          renewal={
            entitlements?.periodEnd
              ? t(entitlements.cancelAtPeriodEnd ? 'header.endsOn' : 'header.renewsOn', {
                  date: formatDate(locale, entitlements.periodEnd),
                })
              : null
          }
        />
      </div>
    </header>
  );
}

function AccountMenu({
  email,
  pro,
  renewal,
}: {
  email: string | null;
  pro: boolean;
  renewal: string | null;
}) {
  const controller = useController();
  const { t } = useT();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const choose = (run: () => void) => () => {
    setOpen(false);
    buttonRef.current?.focus();
    run();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      setOpen(false);
      buttonRef.current?.focus();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const next = items[(index + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length];
    next?.focus();
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: arrow keys move between the menu's items, which are buttons
    <div className="account" ref={ref} onKeyDown={onKeyDown}>
      <button
        ref={buttonRef}
        type="button"
        className="button ghost account-button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="avatar" aria-hidden="true">
          {email ? email[0]?.toUpperCase() : '?'}
        </span>
        {t('header.account')}
      </button>
      {open && (
        <div className="menu" role="menu" aria-label={t('header.account')}>
          {email && <p className="menu-note">{t('header.signedInAs', { email })}</p>}
          {renewal && pro && <p className="menu-note">{renewal}</p>}
          {!email && (
            <>
              <button
                type="button"
                role="menuitem"
                onClick={choose(() => controller.openModal({ type: 'auth', mode: 'signIn' }))}
              >
                {t('header.signIn')}
              </button>
              <button
                type="button"
                role="menuitem"
                onClick={choose(() => controller.openModal({ type: 'auth', mode: 'signUp' }))}
              >
                {t('header.signUp')}
              </button>
            </>
          )}
          {email && pro && (
            <button
              type="button"
              role="menuitem"
              onClick={choose(() => void controller.account.openPortal())}
            >
              {t('header.manage')}
            </button>
          )}
          {email && (
            <button
              type="button"
              role="menuitem"
              onClick={choose(() => controller.openModal({ type: 'invoices' }))}
            >
              {t('header.invoices')}
            </button>
          )}
          {email && (
            <button
              type="button"
              role="menuitem"
              onClick={choose(() => controller.openModal({ type: 'devices' }))}
            >
              {t('header.devices')}
            </button>
          )}
          <button
            type="button"
            role="menuitem"
            onClick={choose(() => controller.openModal({ type: 'settings' }))}
          >
            {t('header.settings')}
          </button>
          {email && (
            <button type="button" role="menuitem" onClick={choose(() => void controller.account.signOut())}>
              {t('header.signOut')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
