import express, { type Express, type Request, type Response } from 'express';
import { api, PasswordResetForm, PasswordResetToken, paths } from '../../contracts/api';
import { DomainError } from '../domain/errors';
import { AddressLimit } from '../http/address-limit';
import { type ResetPageKind, resetPage } from '../http/reset-page';
import type { RegisterRoute } from '../http/route';
import type { PasswordReset } from '../services/password-reset';

/** Reset requests per client address and 15 minutes; form posts likewise (each one hashes a password). */
export const RESET_REQUESTS_PER_ADDRESS = 5;
export const RESET_POSTS_PER_ADDRESS = 20;
const WINDOW_MS = 15 * 60_000;

/**
 * POST /api/auth/password-reset (the app's "Forgot password?") and the page its link opens,
 * GET and POST /reset-password, a plain form (no script: the CSP allows none).
 */
export function registerPasswordReset(app: Express, route: RegisterRoute, reset: PasswordReset | null): void {
  const requests = new AddressLimit(RESET_REQUESTS_PER_ADDRESS, WINDOW_MS);
  const posts = new AddressLimit(RESET_POSTS_PER_ADDRESS, WINDOW_MS);
  const limited = (limit: AddressLimit, req: Request) => {
    const wait = limit.take(req.ip ?? 'unknown');
    if (wait > 0)
      throw new DomainError(
        'rate_limited',
        `Too many requests. Try again in ${Math.ceil(wait / 60)} minutes.`,
        { retryAfterSeconds: wait },
        wait,
      );
  };
  const configured = () => {
    if (!reset)
      throw new DomainError('mail_unavailable', 'This server cannot send mail (SMTP_URL is not set).');
    return reset;
  };

  route(
    api.passwordReset,
    async ({ body, req }) => {
      const service = configured();
      limited(requests, req);
      service.request(body.email);
      return { ok: true };
    },
    { status: 202 },
  );

  const page = (res: Response, status: number, kind: ResetPageKind, token?: string, error?: string) =>
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(
        resetPage(kind, {
          action: paths.resetPassword,
          ...(token ? { token } : {}),
          ...(error ? { error } : {}),
        }),
      );

  app.get(paths.resetPassword, async (req, res) => {
    const token = PasswordResetToken.safeParse(req.query.token);
    if (!token.success || !(await configured().isUsable(token.data))) return page(res, 410, 'invalid');
    return page(res, 200, 'form', token.data);
  });

  app.post(paths.resetPassword, express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const service = configured();
    limited(posts, req);
    const form = PasswordResetForm.safeParse(req.body);
    if (!form.success) {
      const token = PasswordResetToken.safeParse((req.body as { token?: unknown } | undefined)?.token);
      if (!token.success) return page(res, 410, 'invalid');
      const problem =
        form.error.issues.find((i) => i.path[0] === 'password')?.message ?? 'not a valid password';
      return page(res, 400, 'form', token.data, `New password: ${problem}.`);
    }
    if (!(await service.complete(form.data.token, form.data.password))) return page(res, 410, 'invalid');
    return page(res, 200, 'done');
  });
}
