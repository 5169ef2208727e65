import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connect';

const WINDOW_MS = 15 * 60_000;
const PER_EMAIL = 5;
const PER_ADDRESS = 20;

/**
 * 5 failed logins for one email, or 20 from one address, within 15 minutes → wait. Kept in the
 * database, so several server processes share it.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /** Seconds to wait before trying again, or 0. */
  async retryAfter(email: string, address: string): Promise<number> {
    const since = new Date(this.now().getTime() - WINDOW_MS).toISOString();
    const oldest = async (column: 'email' | 'address', value: string, limit: number) => {
      const rows = await this.db
        .selectFrom('login_failures')
        .select('at')
        .where(column, '=', value)
        .where('at', '>', since)
        .orderBy('at', 'desc')
        .limit(limit)
        .execute();
      return rows.length >= limit ? (rows[rows.length - 1]?.at ?? null) : null;
    };
    const blockers = [
      await oldest('email', email, PER_EMAIL),
      await oldest('address', address, PER_ADDRESS),
    ].filter((at): at is string => at !== null);
    if (blockers.length === 0) return 0;
    const freeAt = Math.max(...blockers.map((at) => new Date(at).getTime() + WINDOW_MS));
    return Math.max(1, Math.ceil((freeAt - this.now().getTime()) / 1000));
  }

  async recordFailure(email: string, address: string): Promise<void> {
    const now = this.now();
    await this.db
      .insertInto('login_failures')
      .values({ id: randomUUID(), email, address, at: now.toISOString() })
      .execute();
    // Old rows are of no use: keep the table small.
    await this.db
      .deleteFrom('login_failures')
      .where('at', '<', sql<string>`${new Date(now.getTime() - WINDOW_MS).toISOString()}`)
      .execute();
  }
}
