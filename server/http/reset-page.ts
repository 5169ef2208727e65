import { escapeHtml, PAGE_STYLE } from './return-page';

export type ResetPageKind = 'form' | 'done' | 'invalid';

const TEXT: Record<ResetPageKind, { title: string; body: string }> = {
  form: {
    title: 'Choose a new password',
    body: 'At least 10 characters. You will be signed out on every device.',
  },
  done: {
    title: 'Your password is changed',
    body: 'Every device was signed out. Sign in again in Siberia Mix with the new password.',
  },
  invalid: {
    title: 'This link does not work any more',
    body: 'Reset links work once, for 30 minutes. Ask for a new one from Siberia Mix ("Forgot password?").',
  },
};

/** The page a password reset link opens: the form (posting to itself), then done, or why not. */
export function resetPage(
  kind: ResetPageKind,
  opts: { action: string; token?: string; error?: string },
): string {
  const { title, body } = TEXT[kind];
  const form =
    kind === 'form' && opts.token
      ? `<form method="post" action="${escapeHtml(opts.action)}">
<input type="hidden" name="token" value="${escapeHtml(opts.token)}">
<label for="password">New password<input id="password" name="password" type="password" autocomplete="new-password" minlength="10" maxlength="128" required autofocus></label>
${opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : ''}
<button type="submit">Set the new password</button></form>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Siberia Mix</title><style>${PAGE_STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>${form}</main></body></html>`;
}
