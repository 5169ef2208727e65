import { describe, expect, it } from 'vitest';
import { InvoicesResponse } from '../../../contracts/api';
import { companionSuite } from '../../../tests/host/companion-suite';
import { mainUnderTest } from '../../../tests/host/main-under-test';

const suite = companionSuite();

describe('invoices', () => {
  it('lists the musician’s invoices through the server and opens only those, on the invoice hosts', async () => {
    const { companion } = suite;
    const t = mainUnderTest(companion.url, { checkoutOrigins: [companion.emulator.url] });
    await t.main.account.signUp({ email: 'invoices@example.com', password: 'a long password' });
    await t.main.deepLinks.windowReady();
    expect(await t.main.dispatch('billing.listInvoices', {}, true)).toEqual({
      ok: true,
      value: { invoices: [], nextCursor: null },
    });
    await t.main.checkout.start(companion.prices.monthly);
    await t.main.deepLinks.receive(await companion.pay(t.opened[0] as string), 'open-url');
    await t.main.deepLinks.settled();
    const listed = await t.main.dispatch('billing.listInvoices', {}, true);
    if (!listed.ok) throw new Error(listed.error.message);
    const { invoices } = InvoicesResponse.parse(listed.value);
    expect(invoices).toHaveLength(1);
    const [invoice] = invoices;
    expect(invoice).toMatchObject({ total: 999, currency: 'eur', status: 'paid' });

    const opened = t.opened.length;
    expect(
      await t.main.dispatch('billing.openInvoice', { id: invoice?.id as string, document: 'pdf' }, true),
    ).toEqual({ ok: true, value: { opened: true } });
    expect(t.opened.slice(opened)).toEqual([invoice?.pdfUrl]);
    // An id main did not list, or a URL instead of an id, opens nothing.
    for (const id of ['in_made_up', invoice?.pdfUrl as string])
      expect(await t.main.dispatch('billing.openInvoice', { id, document: 'page' }, true)).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    expect(t.opened).toHaveLength(opened + 1);
    // Signed out, the list is forgotten.
    await t.main.account.signOut();
    expect(
      await t.main.dispatch('billing.openInvoice', { id: invoice?.id as string, document: 'page' }, true),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('does not open an invoice page outside Stripe’s invoice hosts (no emulator configured)', async () => {
    const { companion } = suite;
    const t = mainUnderTest(companion.url, { checkoutOrigins: [companion.emulator.url] });
    await t.main.account.signUp({ email: 'invoices2@example.com', password: 'a long password' });
    await t.main.deepLinks.windowReady();
    await t.main.checkout.start(companion.prices.monthly);
    await t.main.deepLinks.receive(await companion.pay(t.opened[0] as string), 'open-url');
    await t.main.deepLinks.settled();
    // The same account on a device that does not trust the emulator's origin.
    const strict = mainUnderTest(companion.url, { checkoutOrigins: [] });
    await strict.main.account.signIn({ email: 'invoices2@example.com', password: 'a long password' });
    const listed = await strict.main.dispatch('billing.listInvoices', {}, true);
    if (!listed.ok) throw new Error(listed.error.message);
    const id = InvoicesResponse.parse(listed.value).invoices[0]?.id as string;
    expect(await strict.main.dispatch('billing.openInvoice', { id, document: 'page' }, true)).toEqual({
      ok: true,
      value: { opened: false },
    });
    expect(strict.opened).toEqual([]);
  });
});
