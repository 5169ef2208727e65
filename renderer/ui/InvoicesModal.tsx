import { useEffect, useState } from 'react';
import type { InvoiceSummary } from '../../contracts/api';
import { call } from '../bridge';
import { invoiceRow } from '../state/invoice-view';
import { errorText } from '../state/text';
import { useController, useT } from './context';
import { Modal } from './Modal';

type Listing =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'ready'; invoices: InvoiceSummary[]; nextCursor: string | null; more: boolean };

/** The musician's invoices from Stripe; each opens in the system browser (page or PDF). */
export function InvoicesModal() {
  const controller = useController();
  const { t, tx, locale } = useT();
  const [listing, setListing] = useState<Listing>({ status: 'loading' });

  const load = async (after?: string) => {
    const result = await call(() => controller.bridge.billing.listInvoices(after ? { after } : {}));
    setListing((before) => {
      if (!result.ok) return { status: 'failed', message: tx(errorText(result.error)) };
      const earlier = before.status === 'ready' && after ? before.invoices : [];
      return {
        status: 'ready',
        invoices: [...earlier, ...result.value.invoices],
        nextCursor: result.value.nextCursor,
        more: false,
      };
    });
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page, once, when the list opens
  useEffect(() => {
    void load();
  }, []);

  const open = async (id: string, document: 'page' | 'pdf') => {
    const result = await call(() => controller.bridge.billing.openInvoice({ id, document }));
    if (!result.ok) controller.notices.failed(result.error);
  };

  return (
    <Modal title={t('invoices.title')} onClose={() => controller.closeModal()} wide testId="invoices">
      {listing.status === 'loading' && <p className="muted">{t('invoices.loading')}</p>}
      {listing.status === 'failed' && (
        <p className="error" role="alert">
          {t('invoices.failed', { message: listing.message })}
        </p>
      )}
      {listing.status === 'ready' && listing.invoices.length === 0 && (
        <p className="muted">{t('invoices.none')}</p>
      )}
      {listing.status === 'ready' && listing.invoices.length > 0 && (
        <table className="invoices">
          <thead>
            <tr>
              <th scope="col">{t('invoices.date')}</th>
              <th scope="col">{t('invoices.number')}</th>
              <th scope="col" className="num">
                {t('invoices.total')}
              </th>
              <th scope="col" className="num">
                {t('invoices.tax')}
              </th>
              <th scope="col">{t('invoices.status')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('invoices.view')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {listing.invoices.map((invoice) => {
              const row = invoiceRow(invoice, locale);
              return (
                <tr key={row.id}>
                  <td>{row.date}</td>
                  <td>{row.number}</td>
                  <td className="num">{row.total}</td>
                  <td className="num">{row.tax}</td>
                  <td>{t(row.status)}</td>
                  <td className="actions">
                    {row.hasPage && (
                      <button
                        type="button"
                        className="button ghost small"
                        aria-label={t('invoices.viewLabel', { number: row.number })}
                        onClick={() => void open(row.id, 'page')}
                      >
                        {t('invoices.view')}
                      </button>
                    )}
                    {row.hasPdf && (
                      <button
                        type="button"
                        className="button ghost small"
                        aria-label={t('invoices.pdfLabel', { number: row.number })}
                        onClick={() => void open(row.id, 'pdf')}
                      >
                        {t('invoices.pdf')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="modal-actions">
        {listing.status === 'ready' && listing.nextCursor && (
          <button
            type="button"
            className="button ghost"
            disabled={listing.more}
            onClick={() => {
              setListing({ ...listing, more: true });
              void load(listing.nextCursor ?? undefined);
            }}
          >
            {t('invoices.more')}
          </button>
        )}
        <button type="button" className="button primary" onClick={() => controller.closeModal()}>
          {t('invoices.close')}
        </button>
      </div>
    </Modal>
  );
}
