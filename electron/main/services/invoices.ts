import type { InvoicesResponse } from '../../../contracts/api';
import { BridgeFailure } from '../bridge-failure';
import type { AccountService } from './account';
import type { ExternalLinks } from './external-links';

type Documents = { page: string | null; pdf: string | null };

/**
 * The musician's invoices, read from the server a page at a time. Opening one opens the URL the
 * server listed for that id, on Stripe's invoice hosts only: the renderer names an invoice, never
 * a URL.
 */
export class InvoicesService {
  private readonly listed = new Map<string, Documents>();

  constructor(private readonly deps: { account: AccountService; links: ExternalLinks }) {
    // Signed out (or another account): the last one's invoices must not stay openable.
    deps.account.onChange(() => this.listed.clear());
  }

  async list(after?: string): Promise<InvoicesResponse> {
    const page = await this.deps.account.authed('invoices', { limit: 20, ...(after ? { after } : {}) });
    for (const i of page.invoices) this.listed.set(i.id, { page: i.hostedInvoiceUrl, pdf: i.pdfUrl });
    return page;
  }

  async open(id: string, document: 'page' | 'pdf'): Promise<{ opened: boolean }> {
    const url = this.listed.get(id)?.[document];
    if (!url) throw new BridgeFailure('not_found', 'That invoice is not in the list; open the list again.');
    return { opened: await this.deps.links.open(url, 'invoice') };
  }
}
