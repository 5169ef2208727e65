import { useState } from 'react';
import { useStore } from '../state/store';
import type { BillingInterval } from '../../contracts/plan';
import { isPro } from '../state/plan-view';
import { priceView } from '../state/price-view';
import { errorText } from '../state/text';
import { useController, useT } from './context';
import { Modal } from './Modal';

/** Free and Pro side by side, with the prices billing.getPlans reports in the locale's notation. */
export function PricingModal() {
  const controller = useController();
  const { t, tx, locale } = useT();
  const plans = useStore(controller.session, (s) => s.plans);
  const entitlements = useStore(controller.session, (s) => s.entitlements);
  const signedIn = useStore(controller.session, (s) => s.account.status === 'signed_in');
  const [interval, setBillingInterval] = useState<BillingInterval>('year');
  const pro = isPro(entitlements);
  const view = priceView(plans.prices, interval, locale);

  return (
    <Modal title={t('pricing.title')} onClose={() => controller.closeModal()} wide testId="pricing">
      <p className="muted center">{t('pricing.subtitle')}</p>
      <fieldset className="segmented center-block">
        <legend className="sr-only">{t('pricing.billing')}</legend>
        {(['month', 'year'] as const).map((value) => (
          <label key={value} className={interval === value ? 'is-on' : ''}>
            <input
              type="radio"
              name="interval"
              className="sr-only"
              value={value}
              checked={interval === value}
              onChange={() => setBillingInterval(value)}
            />
            {t(value === 'month' ? 'pricing.monthly' : 'pricing.annual')}
          </label>
        ))}
      </fieldset>
      <div className="plans">
        <article className="plan-card" aria-labelledby="plan-free">
          <h3 id="plan-free">{t('pricing.freeName')}</h3>
          <p className="price">{t('pricing.freePrice')}</p>
          <p className="price-note">&nbsp;</p>
          <ul className="features">
            <li>{t('pricing.free1')}</li>
            <li>{t('pricing.free2')}</li>
            <li>{t('pricing.free3')}</li>
            <li className="is-missing">{t('pricing.free4')}</li>
          </ul>
          <p className="plan-foot">{!pro && <span className="chip">{t('pricing.current')}</span>}</p>
        </article>
        <article className="plan-card is-pro" aria-labelledby="plan-pro">
          <h3 id="plan-pro">{t('pricing.proName')}</h3>
          {plans.status === 'failed' && plans.prices.length === 0 ? (
            <div className="price-error" role="alert">
              <p>{t('pricing.loadFailed', { message: plans.error ? tx(errorText(plans.error)) : '' })}</p>
              <button
                type="button"
                className="button ghost"
                onClick={() => void controller.account.loadPlans()}
              >
                {t('pricing.retry')}
              </button>
            </div>
          ) : plans.status !== 'ready' && plans.prices.length === 0 ? (
            <p className="price muted">{t('pricing.loading')}</p>
          ) : view ? (
            <>
              <p className="price" data-testid="price">
                {tx(view.perPeriod)}
                {view.vat && (
                  <span className="price-vat" data-testid="price-vat">
                    {' '}
                    {tx(view.vat)}
                  </span>
                )}
              </p>
              <p className="price-note" data-testid="saving">
                {view.saving
                  ? tx(view.saving)
                  : view.monthlyEquivalent
                    ? tx(view.monthlyEquivalent)
                    : '\u00a0'}
              </p>
            </>
          ) : (
            <p className="price muted">{t('pricing.unavailable')}</p>
          )}
          <ul className="features">
            <li>{t('pricing.pro1')}</li>
            <li>{t('pricing.pro2')}</li>
            <li>{t('pricing.pro3')}</li>
            <li>
              {plans.quotas
                ? t('pricing.proQuota', {
                    exports: plans.quotas.exportsPerMonth,
                    masters: plans.quotas.mastersPerMonth,
                  })
                : t('pricing.proQuotaPlain')}
            </li>
          </ul>
          <div className="plan-foot">
            {pro ? (
              <span className="chip is-pro">{t('pricing.youArePro')}</span>
            ) : (
              <button
                type="button"
                className="button accent large"
                disabled={!view}
                onClick={() => view && void controller.account.startCheckout(view.priceId)}
              >
                {t('pricing.goPro')}
              </button>
            )}
            {!pro && !signedIn && <p className="muted small">{t('pricing.signInFirst')}</p>}
          </div>
        </article>
      </div>
      <p className="muted small center">{t('pricing.securePayment')}</p>
    </Modal>
  );
}
