import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Companion, startCompanion } from '../../../tests/host/companion';
import { mainUnderTest } from '../../../tests/host/main-under-test';
import { decoded, startMailbox, until } from '../../../tests/support/mailbox';

let mailbox: Awaited<ReturnType<typeof startMailbox>>;
let companion: Companion;
beforeAll(async () => {
  mailbox = await startMailbox();
  companion = await startCompanion({
    SMTP_URL: mailbox.url,
    MAIL_FROM: 'Siberia Mix <noreply@siberiamix.app>',
  });
});
afterAll(async () => {
  await companion?.close();
  await mailbox?.close();
});

describe('"Forgot password?" from the app', () => {
  it('mails a link for an account, says the same for an unknown email, and refuses a malformed one', async () => {
    const t = mainUnderTest(companion.url);
    await t.main.account.signUp({ email: 'forgetful@example.com', password: 'a long password' });
    await t.main.account.signOut();
    expect(
      await t.main.dispatch('account.requestPasswordReset', { email: 'Forgetful@Example.com' }, true),
    ).toEqual({ ok: true, value: { sent: true } });
    const mail = await until(() => mailbox.received.find((m) => m.to.includes('forgetful@example.com')));
    expect(decoded(mail.raw)).toMatch(/\/reset-password\?token=[A-Za-z0-9_-]{32,64}/);
    // No account for this one: the same answer, and no mail.
    expect(
      await t.main.dispatch('account.requestPasswordReset', { email: 'nobody@example.com' }, true),
    ).toEqual({ ok: true, value: { sent: true } });
    expect(
      await t.main.dispatch('account.requestPasswordReset', { email: 'not an email' }, true),
    ).toMatchObject({ ok: false, error: { code: 'validation_error' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(mailbox.received.filter((m) => m.to.includes('nobody@example.com'))).toEqual([]);
  });
});
