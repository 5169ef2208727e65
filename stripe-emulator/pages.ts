import type { StripeObject } from './store';
import { COUNTRIES } from './tax';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 100,
  );
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f8fa;color:#1a1f36}
.banner{background:#ffde92;color:#5c3b00;text-align:center;padding:6px;font-size:14px;font-weight:600}
main{max-width:880px;margin:40px auto;display:grid;grid-template-columns:1fr 1fr;gap:48px;padding:0 24px}
@media(max-width:760px){main{grid-template-columns:1fr}}
.summary h1{font-size:20px;margin:0 0 8px}.amount{font-size:36px;font-weight:700}.muted{color:#697386}
form{background:#fff;border-radius:8px;padding:24px;box-shadow:0 2px 8px rgba(0,0,0,.08)}
label{display:block;font-size:14px;font-weight:600;margin:12px 0 4px}
input,select{width:100%;padding:10px 12px;border:1px solid #c9d1da;border-radius:6px;font-size:16px;background:#fff}
fieldset{border:0;padding:0;margin:16px 0 0}legend{font-weight:700;font-size:15px}details{margin-top:16px}summary{cursor:pointer;font-weight:600}
input:focus,select:focus,summary:focus,button:focus,a:focus{outline:3px solid #635bff;outline-offset:2px}
button{width:100%;margin-top:20px;padding:12px;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:16px;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#635bff;border:1px solid #635bff}
.error{background:#fde8e8;color:#a4161a;border-radius:6px;padding:10px 12px;margin-top:12px}
.back{display:inline-block;margin-bottom:24px;color:#635bff}
.row{display:flex;gap:12px}.row>div{flex:1}
.portal{max-width:640px;margin:40px auto;padding:0 24px}.card{background:#fff;border-radius:8px;padding:24px;box-shadow:0 2px 8px rgba(0,0,0,.08);margin-bottom:16px}
.card form{box-shadow:none;padding:0;background:none}.card h2{font-size:18px;margin:0 0 8px}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>
<div class="banner" role="note">Test mode — no real payment. Stripe emulator.</div>${body}</body></html>`;
}

export type CheckoutView = {
  session: StripeObject;
  productName: string;
  amount: number;
  currency: string;
  interval: string;
  email: string | null;
  /** The billing address asked for: all of it, what tax needs (country, postal code), or none. */
  address: 'full' | 'tax' | 'none';
  taxIdCollection: boolean;
  /** How VAT relates to the amount shown, when Stripe Tax computes it. */
  taxNote: string | null;
  typed: Partial<
    Record<'card' | 'country' | 'line1' | 'postal_code' | 'city' | 'business_name' | 'tax_id', string>
  >;
  error?: string;
};

function field(id: string, label: string, value: string | undefined, attrs = ''): string {
  return `<label for="${id}">${esc(label)}</label><input id="${id}" name="${id}" value="${esc(value ?? '')}" ${attrs}>`;
}

/** The billing address and VAT number fields Checkout shows when tax or the session asks for them. */
function buyerFields(v: CheckoutView): string {
  const t = v.typed;
  const countries = Object.entries(COUNTRIES)
    .map(
      ([code, name]) =>
        `<option value="${code}"${t.country === code ? ' selected' : ''}>${esc(name)}</option>`,
    )
    .join('');
  const address =
    v.address === 'none'
      ? ''
      : `<fieldset><legend>Billing address</legend>
<label for="country">Country</label><select id="country" name="country" autocomplete="country" required><option value="">Choose…</option>${countries}</select>
${v.address === 'full' ? field('line1', 'Address', t.line1, 'autocomplete="address-line1" required') : ''}
<div class="row"><div>${field('postal_code', 'Postal code', t.postal_code, 'autocomplete="postal-code" required')}</div>
${v.address === 'full' ? `<div>${field('city', 'City', t.city, 'autocomplete="address-level2" required')}</div>` : ''}</div></fieldset>`;
  // A disclosure rather than a script: the page's policy allows none.
  const business = v.taxIdCollection
    ? `<details${t.tax_id ? ' open' : ''}><summary>I’m purchasing as a business</summary>
${field('business_name', 'Business name', t.business_name, 'autocomplete="organization"')}
${field('tax_id', 'VAT number', t.tax_id, 'placeholder="DE123456789" autocapitalize="characters"')}</details>`
    : '';
  return address + business;
}

export function checkoutPage(v: CheckoutView): string {
  const s = v.session;
  const closed = s.status !== 'open';
  const back = s.cancel_url ? `<a class="back" href="${esc(s.cancel_url)}">← Back</a>` : '';
  const form = closed
    ? `<div class="card" role="status"><p>This checkout session is ${esc(s.status)}.</p></div>`
    : `<form method="post" action="/c/pay/${esc(s.id)}" aria-label="Payment">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${esc(v.email ?? '')}" ${v.email ? 'readonly' : ''}>
  <label for="card">Card number</label>
  <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required value="${esc(v.typed.card ?? '')}" ${v.error ? 'aria-invalid="true" aria-describedby="card-error"' : ''} autofocus>
  <div class="row"><div><label for="exp">Expiry</label><input id="exp" name="exp" placeholder="12 / 34" autocomplete="cc-exp"></div>
  <div><label for="cvc">CVC</label><input id="cvc" name="cvc" placeholder="123" autocomplete="cc-csc"></div></div>
  ${buyerFields(v)}
  ${v.error ? `<div class="error" id="card-error" role="alert">${esc(v.error)}</div>` : ''}
  <button type="submit">Subscribe</button>
  <p class="muted">Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 is declined · 4000 0000 0000 0341 pays now and fails at renewal · 4000 0027 6000 3184 asks for 3-D Secure (confirmed here, and again at each renewal).</p>
</form>`;
  return page(
    `Subscribe to ${v.productName}`,
    `<main><section class="summary">${back}<h1>Subscribe to ${esc(v.productName)}</h1>
<div class="amount">${esc(money(v.amount, v.currency))}</div><div class="muted">per ${esc(v.interval)}</div>${v.taxNote ? `<div class="muted" id="tax-note">${esc(v.taxNote)}</div>` : ''}</section>${form}</main>`,
  );
}

export type PortalView = {
  sessionId: string;
  returnUrl: string | null;
  email: string | null;
  subscription: StripeObject | null;
  productName: string;
  amount: number;
  currency: string;
  interval: string;
  periodEnd: number;
  otherPrice: { id: string; amount: number; currency: string; interval: string } | null;
  message?: string;
};

const date = (sec: number) =>
  new Date(sec * 1000).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

export function portalPage(v: PortalView): string {
  const sub = v.subscription;
  const action = (name: string, label: string, extra = '', cls = '') =>
    `<form method="post" action="/p/session/${esc(v.sessionId)}"><input type="hidden" name="action" value="${name}">${extra}<button type="submit" class="${cls}">${esc(label)}</button></form>`;
  const back = v.returnUrl ? `<a class="back" href="${esc(v.returnUrl)}">← Return to Siberia Mix</a>` : '';
  const body = !sub
    ? '<div class="card"><p>No active subscription.</p></div>'
    : `<div class="card"><h2>Current plan</h2>
<p><strong>${esc(v.productName)}</strong> — ${esc(money(v.amount, v.currency))} per ${esc(v.interval)}</p>
<p>Status: ${esc(sub.status)}</p>
<p>${sub.cancel_at_period_end ? `Cancels on <strong>${esc(date(v.periodEnd))}</strong>` : `Renews on <strong>${esc(date(v.periodEnd))}</strong>`}</p></div>
<div class="card"><h2>Change your plan</h2>
${v.otherPrice ? action('switch', `Switch to ${money(v.otherPrice.amount, v.otherPrice.currency)} per ${v.otherPrice.interval}`, `<input type="hidden" name="price" value="${esc(v.otherPrice.id)}">`, 'secondary') : ''}
${sub.cancel_at_period_end ? action('resume', 'Resume subscription') : action('cancel', 'Cancel at period end', '', 'secondary')}
</div>`;
  return page(
    'Manage your subscription',
    `<div class="portal">${back}<h1>Manage your subscription</h1><p class="muted">${esc(v.email ?? '')}</p>
${v.message ? `<div class="card" role="status">${esc(v.message)}</div>` : ''}${body}</div>`,
  );
}

export function messagePage(title: string, text: string): string {
  return page(
    title,
    `<div class="portal"><div class="card"><h1>${esc(title)}</h1><p>${esc(text)}</p></div></div>`,
  );
}

export type InvoiceView = {
  invoice: StripeObject;
  productName: string;
  email: string | null;
  /** The PaymentIntent waits for the customer to complete 3-D Secure. */
  needsAuthentication: boolean;
  /** The tax part of the invoice, one line each (empty without automatic tax). */
  taxLines: string[];
  error?: string;
  message?: string;
};

/** The hosted invoice page: what is owed, and a way to pay it (or to confirm a 3-D Secure payment). */
export function invoicePage(v: InvoiceView): string {
  const inv = v.invoice;
  const amount = money(inv.amount_due as number, inv.currency as string);
  const paidAt = (inv.status_transitions as { paid_at: number | null }).paid_at;
  const status =
    inv.status === 'paid'
      ? `<p role="status">Paid on <strong>${esc(date(paidAt ?? 0))}</strong>.</p>`
      : inv.status === 'open'
        ? '<p>Payment due.</p>'
        : `<p role="status">This invoice is ${esc(inv.status)}.</p>`;
  const error = v.error ? `<div class="error" id="pay-error" role="alert">${esc(v.error)}</div>` : '';
  const pay =
    inv.status !== 'open'
      ? ''
      : v.needsAuthentication
        ? `<form method="post" action="/i/${esc(inv.id)}" aria-label="Confirm payment"><h2>Confirm your payment</h2>
<p>Your bank asks you to confirm this payment (3-D Secure).</p><input type="hidden" name="action" value="confirm">
${error}<button type="submit">Confirm payment of ${esc(amount)}</button></form>`
        : `<form method="post" action="/i/${esc(inv.id)}" aria-label="Payment"><h2>Pay this invoice</h2>
<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required ${v.error ? 'aria-invalid="true" aria-describedby="pay-error"' : ''}>
${error}<button type="submit">Pay ${esc(amount)}</button></form>`;
  return page(
    `Invoice ${String(inv.number ?? inv.id)}`,
    `<div class="portal"><h1>Invoice ${esc(inv.number ?? inv.id)}</h1><p class="muted">${esc(v.email ?? '')}</p>
${v.message ? `<div class="card" role="status">${esc(v.message)}</div>` : ''}
<div class="card"><h2>${esc(v.productName)}</h2><div class="amount">${esc(amount)}</div>
<p>${esc(date(inv.period_start as number))} – ${esc(date(inv.period_end as number))}</p>
${v.taxLines.length ? `<ul class="taxes" aria-label="Tax">${v.taxLines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : ''}${status}
<p><a href="/i/${esc(inv.id)}/pdf">Download PDF</a></p></div>${pay ? `<div class="card">${pay}</div>` : ''}</div>`,
  );
}
