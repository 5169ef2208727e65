import type { InvoiceSummary } from '../../contracts/api';
import type { Locale } from '../../contracts/bridge';
import { formatDate, formatMoney, type MessageKey } from '../i18n';

export type InvoiceRow = {
  id: string;
  date: string;
  number: string;
  total: string;
  tax: string;
  status: MessageKey;
  hasPage: boolean;
  hasPdf: boolean;
};

/** An invoice as the list shows it, in the musician's language and money format. */
export function invoiceRow(invoice: InvoiceSummary, locale: Locale): InvoiceRow {
  return {
    id: invoice.id,
    date: formatDate(locale, invoice.createdAt),
    number: invoice.number ?? '—',
    total: formatMoney(locale, invoice.total, invoice.currency),
    tax: formatMoney(locale, invoice.tax, invoice.currency),
    status: `invoices.status.${invoice.status}`,
    hasPage: invoice.hostedInvoiceUrl !== null,
    hasPdf: invoice.pdfUrl !== null,
  };
}
