import { Email, Password } from '../../contracts/api';
import type { Text } from './text';

export type AuthMode = 'signIn' | 'signUp';
export type AuthFields = { email: string; password: string };
export type AuthErrors = { email?: Text; password?: Text };

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

/**
 * Checks the form before anything is sent. Sign-in accepts any non-empty password (a short one is
 * just wrong, not a hint); sign-up applies the server's own rule from contracts/.
 */
export function validateAuth(mode: AuthMode, fields: AuthFields): AuthErrors {
  const errors: AuthErrors = {};
  if (fields.email.trim() === '') errors.email = { key: 'auth.emailMissing' };
  else if (!Email.safeParse(fields.email).success) errors.email = { key: 'auth.emailInvalid' };
  if (fields.password === '') errors.password = { key: 'auth.passwordMissing' };
  else if (mode === 'signUp' && !Password.safeParse(fields.password).success) {
    errors.password =
      fields.password.length > PASSWORD_MAX
        ? { key: 'auth.passwordLong', params: { max: PASSWORD_MAX } }
        : { key: 'auth.passwordShort', params: { min: PASSWORD_MIN } };
  } else if (fields.password.length > PASSWORD_MAX) {
    errors.password = { key: 'auth.passwordLong', params: { max: PASSWORD_MAX } };
  }
  return errors;
}

export const hasErrors = (e: AuthErrors) => e.email !== undefined || e.password !== undefined;
