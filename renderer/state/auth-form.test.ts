import { describe, expect, it } from 'vitest';
import { hasErrors, validateAuth } from './auth-form';

describe('sign-in and sign-up validation', () => {
  it('asks for what is missing', () => {
    const e = validateAuth('signIn', { email: ' ', password: '' });
    expect(e.email?.key).toBe('auth.emailMissing');
    expect(e.password?.key).toBe('auth.passwordMissing');
  });
  it('refuses an address that is not one', () => {
    expect(validateAuth('signIn', { email: 'ana@', password: 'x' }).email?.key).toBe('auth.emailInvalid');
  });
  it('sign-in takes any non-empty password; sign-up applies the server rule', () => {
    expect(hasErrors(validateAuth('signIn', { email: 'ana@example.com', password: 'short' }))).toBe(false);
    const e = validateAuth('signUp', { email: 'ana@example.com', password: 'short' });
    expect(e.password).toEqual({ key: 'auth.passwordShort', params: { min: 10 } });
    expect(
      validateAuth('signUp', { email: 'ana@example.com', password: 'x'.repeat(129) }).password?.key,
    ).toBe('auth.passwordLong');
    expect(hasErrors(validateAuth('signUp', { email: 'Ana@Example.com', password: 'long enough pw' }))).toBe(
      false,
    );
  });
});
