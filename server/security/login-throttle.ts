import { randomUUID } from 'node:crypto';
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../db/connect';

const WINDOW_MS = 15 * 60_000;
export const PER_EMAIL = 5;
export const PER_ADDRESS = 20;
// Advisory-lock namespaces (PostgreSQL): one for emails, one for addresses.
const EMAIL_LOCKS = 0x51b1;
const ADDRESS_LOCKS = 0x51b2;

export type LoginAttempt = { admitted: true; id: string } | { admitted: false; retryAfter: number };

/**
 * At most 5 password checks for one email, and 20 from one address, within 15 minutes. Kept in the
 * database, so several server processes share it. An attempt is counted and written down as a
 * failure *before* its password is checked, in one short transaction that holds the email's and
 * the address's locks (PostgreSQL advisory locks; SQLite's one connection), so however many arrive
 * at once no more than the limit are checked. A good password takes its row back.
 */
export class LoginThrottle {
  private readonly postgres: boolean;
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  attempt(email: string, address: string): Promise<LoginAttempt> {
    return this.db.transaction().execute(async (trx) => {
      if (this.postgres) {
        // Always the email's lock first, then the address's: no two attempts wait on each other in a circle.
        await sql`select pg_advisory_xact_lock(${EMAIL_LOCKS}, hashtext(${email}))`.execute(trx);
        await sql`select pg_advisory_xact_lock(${ADDRESS_LOCKS}, hashtext(${address}))`.execute(trx);
      }
      const now = this.now();
      const since = new Date(now.getTime() - WINDOW_MS).toISOString();
      const recent = (column: 'email' | 'address', value: string, limit: number) =>
        trx
          .selectFrom('login_failures')
          .select('at')
          .where(column, '=', value)
          .where('at', '>', since)
          .orderBy('at', 'desc')
          .limit(limit)
          .execute();
      const blockers = [
        [await recent('email', email, PER_EMAIL), PER_EMAIL] as const,
        [await recent('address', address, PER_ADDRESS), PER_ADDRESS] as const,
      ]
        .filter(([rows, limit]) => rows.length >= limit)
        .map(([rows]) => new Date(rows[rows.length - 1]?.at ?? now).getTime() + WINDOW_MS);
      if (blockers.length > 0)
        return {
          admitted: false,
          retryAfter: Math.max(1, Math.ceil((Math.max(...blockers) - now.getTime()) / 1000)),
        };
      const id = randomUUID();
      await trx.insertInto('login_failures').values({ id, email, address, at: now.toISOString() }).execute();
      // Old rows are of no use: keep the table small.
      await trx.deleteFrom('login_failures').where('at', '<', sql<string>`${since}`).execute();
      return { admitted: true, id };
    });
  }

  /** The attempt was not a failure after all: the password was right. */
  async forget(id: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('id', '=', id).execute();
  }
}
