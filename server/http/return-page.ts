/** The small page the browser lands on after Checkout or the portal, in English or French. */

export type PageLocale = 'en' | 'fr';

/** The first of en/fr the browser prefers, by Accept-Language quality; English otherwise. */
export function pickLocale(acceptLanguage: string | undefined): PageLocale {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { lang: (tag ?? '').trim().toLowerCase().slice(0, 2), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.lang && Number.isFinite(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q);
  const first = ranked.find((x) => x.lang === 'en' || x.lang === 'fr');
  return first?.lang === 'fr' ? 'fr' : 'en';
}

/** The look of the server's few pages (this one and the password reset page). */
export const PAGE_STYLE = `body{margin:0;min-height:100vh;display:grid;place-items:center;background:#12141a;color:#e8eaf0;font:16px/1.5 system-ui,sans-serif}
main{max-width:480px;padding:32px;text-align:center}h1{font-size:24px}a.open,button{display:inline-block;margin-top:16px;padding:12px 24px;border:0;border-radius:8px;background:#7c5cff;color:#fff;text-decoration:none;font:inherit;font-weight:600;cursor:pointer}
a.open:focus,button:focus,input:focus{outline:3px solid #fff;outline-offset:3px}.hint{color:#9aa1b2;font-size:14px}
label{display:block;text-align:left;margin-top:12px}input{box-sizing:border-box;width:100%;margin-top:4px;padding:10px;border-radius:6px;border:1px solid #3a3f4d;background:#1c1f27;color:inherit;font:inherit}.error{color:#ff8a8a}`;

export type ReturnKind = 'success' | 'pending' | 'cancel' | 'portal' | 'invalid' | 'unavailable';

const TEXT: Record<
  PageLocale,
  Record<ReturnKind, { title: string; body: string }> & { open: string; hint: string }
> = {
  en: {
    success: { title: 'Thank you — payment received', body: 'Siberia Mix will open and unlock Pro.' },
    pending: {
      title: 'Payment being confirmed',
      body: 'Your payment is not confirmed yet. Siberia Mix will update as soon as it is.',
    },
    cancel: { title: 'Checkout cancelled', body: 'Nothing was charged. You can go back to Siberia Mix.' },
    portal: { title: 'Subscription updated', body: 'You can go back to Siberia Mix.' },
    invalid: { title: 'This link is not valid', body: 'Go back to Siberia Mix and start again from there.' },
    unavailable: {
      title: 'Payment not confirmed yet',
      body: 'We could not reach the payment service just now. Siberia Mix will check again by itself.',
    },
    open: 'Open Siberia Mix',
    hint: 'If nothing happens, press the button above.',
  },
  fr: {
    success: { title: 'Merci — paiement reçu', body: 'Siberia Mix va s’ouvrir et débloquer Pro.' },
    pending: {
      title: 'Paiement en cours de confirmation',
      body: 'Votre paiement n’est pas encore confirmé. Siberia Mix se mettra à jour dès qu’il le sera.',
    },
    cancel: { title: 'Paiement annulé', body: 'Rien n’a été débité. Vous pouvez revenir à Siberia Mix.' },
    portal: { title: 'Abonnement mis à jour', body: 'Vous pouvez revenir à Siberia Mix.' },
    invalid: {
      title: 'Ce lien n’est pas valide',
      body: 'Revenez à Siberia Mix et recommencez depuis l’application.',
    },
    unavailable: {
      title: 'Paiement pas encore confirmé',
      body: 'Le service de paiement ne répond pas pour l’instant. Siberia Mix vérifiera de lui-même.',
    },
    open: 'Ouvrir Siberia Mix',
    hint: 'Si rien ne se passe, appuyez sur le bouton ci-dessus.',
  },
};

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** A page that hands the browser on to the app's deep link, with a visible link for browsers that ask first. */
export function returnPage(locale: PageLocale, kind: ReturnKind, deepLink: string | null): string {
  const t = TEXT[locale];
  const { title, body } = t[kind];
  const link = deepLink ? escapeHtml(deepLink) : null;
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${link ? `<meta http-equiv="refresh" content="0;url=${link}">` : ''}
<title>${escapeHtml(title)} · Siberia Mix</title>
<style>${PAGE_STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>
${link ? `<p><a class="open" id="open-app" href="${link}">${escapeHtml(t.open)}</a></p><p class="hint">${escapeHtml(t.hint)}</p>` : ''}
</main></body></html>`;
}
