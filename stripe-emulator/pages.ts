import type { StripeObject } from './store';

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
input{width:100%;padding:10px 12px;border:1px solid #c9d1da;border-radius:6px;font-size:16px}
input:focus,button:focus,a:focus{outline:3px solid #635bff;outline-offset:2px}
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
  error?: string;
  card?: string;
};

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
  <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required value="${esc(v.card ?? '')}" ${v.error ? 'aria-invalid="true" aria-describedby="card-error"' : ''} autofocus>
  <div class="row"><div><label for="exp">Expiry</label><input id="exp" name="exp" placeholder="12 / 34" autocomplete="cc-exp"></div>
  <div><label for="cvc">CVC</label><input id="cvc" name="cvc" placeholder="123" autocomplete="cc-csc"></div></div>
  ${v.error ? `<div class="error" id="card-error" role="alert">${esc(v.error)}</div>` : ''}
  <button type="submit">Subscribe</button>
  <p class="muted">Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 is declined · 4000 0000 0000 0341 pays now and fails at renewal.</p>
</form>`;
  return page(
    `Subscribe to ${v.productName}`,
    `<main><section class="summary">${back}<h1>Subscribe to ${esc(v.productName)}</h1>
<div class="amount">${esc(money(v.amount, v.currency))}</div><div class="muted">per ${esc(v.interval)}</div></section>${form}</main>`,
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
<p>${esc(date(inv.period_start as number))} – ${esc(date(inv.period_end as number))}</p>${status}
<p><a href="/i/${esc(inv.id)}/pdf">Download PDF</a></p></div>${pay ? `<div class="card">${pay}</div>` : ''}</div>`,
  );
}
