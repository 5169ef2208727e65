import { createHash, randomBytes } from 'node:crypto';
import { PostgresAdapter } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/connect';
import { hashPassword } from '../security/passwords';
import type { Mailer } from './mailer';

/** How long a reset link works, and how many links one email gets an hour. */
export const RESET_LINK_MINUTES = 30;
export const RESET_MAILS_PER_HOUR = 3;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * "Forgot password?": a single-use link, alive for 30 minutes, sent by mail. The request answers
 * the same, at once, whether or not the email has an account (the mail goes out afterwards, so its
 * time tells nothing either), and an email gets at most 3 links an hour. Setting the new password
 * uses the link up, ends every other link of that account and signs out every device.
 */
export class PasswordReset {
  constructor(
    private readonly deps: {
      db: Db;
      mailer: Mailer;
      /** The link's base: the server's public URL. */
      publicUrl: () => string;
      resetPath: string;
      logger: Logger;
      now: () => Date;
    },
  ) {}

  /** Starts sending the link if the email has an account; resolves before any mail is sent. */
  request(email: string): void {
    void this.sendLink(email).catch((err: unknown) =>
      this.deps.logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'password reset mail not sent',
      ),
    );
  }

  private async sendLink(email: string): Promise<void> {
    const { db } = this.deps;
    const now = this.deps.now();
    const user = await db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', email)
      .executeTakeFirst();
    if (!user) return;
    const token = randomBytes(32).toString('base64url');
    // Counted and written under the account's row lock (PostgreSQL; SQLite has one writer), so
    // however many requests arrive at once no more than the limit go out.
    const written = await db.transaction().execute(async (trx) => {
      const row = trx.selectFrom('users').select('id').where('id', '=', user.id);
      await (trx.getExecutor().adapter instanceof PostgresAdapter ? row.forUpdate() : row).execute();
      const recent = await trx
        .selectFrom('password_resets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', user.id)
        .where('created_at', '>', new Date(now.getTime() - 3_600_000).toISOString())
        .executeTakeFirst();
      if (Number(recent?.n ?? 0) >= RESET_MAILS_PER_HOUR) return false;
      await trx
        .insertInto('password_resets')
        .values({
          token_hash: hash(token),
          user_id: user.id,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + RESET_LINK_MINUTES * 60_000).toISOString(),
          used_at: null,
        })
        .execute();
      return true;
    });
    if (!written) {
      this.deps.logger.warn({ userId: user.id }, 'password reset: hourly limit reached, no mail sent');
      return;
    }
    const link = `${this.deps.publicUrl()}${this.deps.resetPath}?token=${token}`;
    await this.deps.mailer.send({
      to: user.email,
      subject: 'Reset your Siberia Mix password',
      text: [
        'Someone (we hope you) asked to reset the password of your Siberia Mix account.',
        '',
        `Open this link within ${RESET_LINK_MINUTES} minutes to choose a new password:`,
        link,
        '',
        'It works once. Setting a new password signs you out on every device.',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ].join('\n'),
    });
    this.deps.logger.info({ userId: user.id }, 'password reset mail sent');
  }

  /** Whether a link's token still works (the page shows the form only then). */
  async isUsable(token: string): Promise<boolean> {
    const row = await this.deps.db
      .selectFrom('password_resets')
      .select(['used_at', 'expires_at'])
      .where('token_hash', '=', hash(token))
      .executeTakeFirst();
    return Boolean(row && !row.used_at && row.expires_at > this.deps.now().toISOString());
  }

  /** Sets the new password with a usable link, once; false when the link is used, expired or unknown. */
  async complete(token: string, password: string): Promise<boolean> {
    const passwordHash = await hashPassword(password);
    const now = this.deps.now().toISOString();
    return this.deps.db.transaction().execute(async (trx) => {
      // Claimed only if nobody used it first: two posts of one link set one password.
      const claimed = await trx
        .updateTable('password_resets')
        .set({ used_at: now })
        .where('token_hash', '=', hash(token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning('user_id')
        .executeTakeFirst();
      if (!claimed) return false;
      await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now })
        .where('id', '=', claimed.user_id)
        .execute();
      // Every other link of the account ends, and every device signs in again.
      await trx
        .updateTable('password_resets')
        .set({ used_at: now })
        .where('user_id', '=', claimed.user_id)
        .where('used_at', 'is', null)
        .execute();
      await trx
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('user_id', '=', claimed.user_id)
        .where('revoked_at', 'is', null)
        .execute();
      return true;
    });
  }
}
