import { useId, useState } from 'react';
import { type AuthErrors, type AuthMode, hasErrors, PASSWORD_MIN, validateAuth } from '../state/auth-form';
import type { Text } from '../state/text';
import { useController, useT } from './context';
import { Modal } from './Modal';

/** Sign in / create account: a real form with the fields password managers look for. */
export function AuthModal({ mode }: { mode: AuthMode }) {
  const controller = useController();
  const { t, tx } = useT();
  const [errors, setErrors] = useState<AuthErrors>({});
  const [serverError, setServerError] = useState<Text | null>(null);
  const [working, setWorking] = useState(false);
  const [resetSentTo, setResetSentTo] = useState<string | null>(null);
  const emailId = useId();
  const passwordId = useId();
  const signUp = mode === 'signUp';

  const onSubmit = async (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const fields = { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') };
    const found = validateAuth(mode, fields);
    setErrors(found);
    setServerError(null);
    if (hasErrors(found)) {
      event.currentTarget
        .querySelector<HTMLInputElement>(found.email ? 'input[name=email]' : 'input[name=password]')
        ?.focus();
      return;
    }
    setWorking(true);
    const outcome = await controller.account.authenticate(mode, fields);
    setWorking(false);
    if (!outcome.ok) setServerError(outcome.error);
  };

  const forgot = async (event: React.MouseEvent<HTMLButtonElement>) => {
    const email = String(
      event.currentTarget.form?.querySelector<HTMLInputElement>('input[name=email]')?.value ?? '',
    );
    setServerError(null);
    setResetSentTo(null);
    setWorking(true);
    const outcome = await controller.account.requestPasswordReset(email);
    setWorking(false);
    if (outcome.ok) setResetSentTo(email.trim());
    else setErrors({ email: outcome.error });
  };

  return (
    <Modal
      title={t(signUp ? 'auth.signUpTitle' : 'auth.signInTitle')}
      onClose={() => controller.closeModal()}
      testId={`auth-${mode}`}
    >
      <form className="auth-form" noValidate onSubmit={(e) => void onSubmit(e)} method="post" action="#">
        <label htmlFor={emailId}>{t('auth.email')}</label>
        <input
          id={emailId}
          name="email"
          type="email"
          autoComplete={signUp ? 'email' : 'username'}
          inputMode="email"
          aria-invalid={!!errors.email}
          aria-describedby={errors.email ? `${emailId}-error` : undefined}
          data-autofocus
        />
        {errors.email && (
          <p id={`${emailId}-error`} className="field-error">
            {tx(errors.email)}
          </p>
        )}
        <label htmlFor={passwordId}>{t('auth.password')}</label>
        <input
          id={passwordId}
          name="password"
          type="password"
          autoComplete={signUp ? 'new-password' : 'current-password'}
          minLength={signUp ? PASSWORD_MIN : undefined}
          aria-invalid={!!errors.password}
          aria-describedby={`${passwordId}-hint`}
        />
        <p id={`${passwordId}-hint`} className={errors.password ? 'field-error' : 'field-hint'}>
          {errors.password
            ? tx(errors.password)
            : signUp
              ? t('auth.passwordHint', { min: PASSWORD_MIN })
              : ''}
        </p>
        {serverError && (
          <p className="form-error" role="alert">
            {tx(serverError)}
          </p>
        )}
        {resetSentTo && (
          <p className="form-note" role="status">
            {t('auth.resetSent', { email: resetSentTo })}
          </p>
        )}
        <button type="submit" className="button primary large" disabled={working}>
          {working ? t('auth.working') : t(signUp ? 'auth.submitSignUp' : 'auth.submitSignIn')}
        </button>
        {!signUp && (
          <button type="button" className="link" disabled={working} onClick={(e) => void forgot(e)}>
            {t('auth.forgot')}
          </button>
        )}
        <button
          type="button"
          className="link"
          onClick={() => controller.openModal({ type: 'auth', mode: signUp ? 'signIn' : 'signUp' })}
        >
          {t(signUp ? 'auth.toSignIn' : 'auth.toSignUp')}
        </button>
      </form>
    </Modal>
  );
}
