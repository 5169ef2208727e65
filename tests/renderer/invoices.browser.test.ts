// Selling in the EU, as the musician sees it: the pricing grid says the price includes VAT, and the
// account menu's "Invoices" lists what Stripe billed, each opening in the system browser.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceSummary } from '../../contracts/api';
import { type Desk, openDesk, scriptedCalls, startDesk } from './harness';
import { proEntitlements, signedIn } from './scripted-bridge';

const SHOTS = path.resolve('tests/renderer/screenshots');
let desk: Desk;
beforeAll(async () => {
  desk = await startDesk();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(() => desk?.close());

const invoice = (n: number, created: string, status: InvoiceSummary['status'] = 'paid'): InvoiceSummary => ({
  id: `in_test${n}`,
  number: `SIBE-000${n}`,
  createdAt: created,
  total: 999,
  tax: 167,
  currency: 'eur',
  status,
  hostedInvoiceUrl: `https://invoice.stripe.com/i/acct_1/test_${n}`,
  pdfUrl: `https://pay.stripe.com/invoice/acct_1/test_${n}/pdf`,
});
const INVOICES = [
  invoice(3, '2026-11-05T09:00:00.000Z', 'open'),
  invoice(2, '2026-10-05T09:00:00.000Z'),
  invoice(1, '2026-09-05T09:00:00.000Z'),
];

describe('VAT and invoices', () => {
  it('the pricing grid says VAT is included, in English and in French', async () => {
    const page = await openDesk(desk, { account: signedIn() });
    await page.getByRole('banner').getByRole('button', { name: 'Go Pro' }).click();
    const pricing = page.getByRole('dialog', { name: 'Choose your plan' });
    await pricing.getByTestId('price-vat').waitFor();
    expect(await pricing.getByTestId('price').innerText()).toMatch(/incl\. VAT$/);
    await page.screenshot({ path: path.join(SHOTS, 'pricing-incl-vat-en.png') });
    await page.close();
    const fr = await openDesk(desk, {
      account: signedIn(),
      info: {
        version: '0.1.0',
        platform: 'linux',
        serverUrl: 'http://x',
        locale: 'fr',
        deviceId: 'dev-test-0001',
      },
    });
    await fr.getByRole('banner').getByRole('button', { name: 'Passer en Pro' }).click();
    const tarifs = fr.getByRole('dialog');
    await tarifs.getByTestId('price-vat').waitFor();
    expect(await tarifs.getByTestId('price').innerText()).toMatch(/TTC$/);
    await fr.screenshot({ path: path.join(SHOTS, 'pricing-ttc-fr.png') });
    await fr.close();
  });

  it('the account menu lists the invoices a page at a time; each opens by id, never by URL', async () => {
    const page = await openDesk(desk, {
      account: signedIn(),
      entitlements: proEntitlements(),
      invoices: INVOICES,
    });
    await page.getByRole('button', { name: /Account/ }).click();
    await page.getByRole('menuitem', { name: 'Invoices' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your invoices' });
    await dialog.getByRole('row').nth(2).waitFor();
    expect(await dialog.getByRole('row').count()).toBe(3); // the header and the first page of two
    const first = await dialog.getByRole('row').nth(1).innerText();
    expect(first).toContain('SIBE-0003');
    expect(first).toContain('€9.99');
    expect(first).toContain('€1.67');
    expect(first).toContain('Due');
    await dialog.getByRole('button', { name: 'Older invoices' }).click();
    await dialog.getByRole('row').nth(3).waitFor();
    expect(await dialog.getByRole('button', { name: 'Older invoices' }).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'invoices-en.png') });
    await dialog.getByRole('button', { name: 'Download invoice SIBE-0002 as PDF' }).click();
    await expect
      .poll(async () => (await scriptedCalls(page)).filter((c) => c.name === 'billing.openInvoice'))
      .toEqual([{ name: 'billing.openInvoice', input: { id: 'in_test2', document: 'pdf' } }]);
    await page.close();
  });

  it('in French, with nothing billed yet', async () => {
    const info = {
      version: '0.1.0',
      platform: 'linux',
      serverUrl: 'http://x',
      locale: 'fr' as const,
      deviceId: 'dev-test-0001',
    };
    const page = await openDesk(desk, { account: signedIn(), info, invoices: INVOICES });
    await page.getByRole('button', { name: /Compte/ }).click();
    await page.getByRole('menuitem', { name: 'Factures' }).click();
    const dialog = page.getByRole('dialog', { name: 'Vos factures' });
    await dialog.getByRole('row').nth(1).waitFor();
    const row = await dialog.getByRole('row').nth(1).innerText();
    expect(row).toContain('9,99');
    expect(row).toContain('1,67');
    expect(row).toContain('À payer');
    expect(await dialog.getByRole('columnheader', { name: 'dont TVA' }).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'invoices-fr.png') });
    await page.close();
    const none = await openDesk(desk, { account: signedIn(), info, invoices: [] });
    await none.getByRole('button', { name: /Compte/ }).click();
    await none.getByRole('menuitem', { name: 'Factures' }).click();
    await none.getByText('Aucune facture pour l’instant.', { exact: false }).waitFor();
    await none.close();
  });
});
