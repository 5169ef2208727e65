import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect';
import { PostgresAdapter, type Transaction } from 'kysely';
import type { Database, UsersTable } from '../db/schema';
import { DomainError } from '../domain/errors';

/** A new free account's row. */
export function newUserRow(
  email: string,
  passwordHash: string,
  now: string,
  id = `usr_${randomUUID().replaceAll('-', '')}`,
): UsersTable {
  return {
    id,
    email,
    password_hash: passwordHash,
    plan: 'free',
    stripe_customer_id: null,
    stripe_subscription_id: null,
    subscription_status: null,
    price_id: null,
    current_period_end: null,
    cancel_at_period_end: 0,
    created_at: now,
    updated_at: now,
  };
}

/** The signed-in user's row; an account deleted since its token was issued is a 401. */
export async function requireUser(db: Db, userId: string): Promise<UsersTable> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!row) throw new DomainError('unauthorized', 'Please sign in again.');
  return row;
}

/**
 * The user's row, locked until the transaction ends, or undefined for a user who is gone: every
 * decision about one user's quota, devices and allowances is taken under it, so concurrent requests
 * (and several server processes) see each other's outcome. Row locks exist on PostgreSQL; SQLite
 * already admits one writer at a time.
 */
export function lockUser(trx: Transaction<Database>, userId: string) {
  const query = trx.selectFrom('users').selectAll().where('id', '=', userId);
  const postgres = trx.getExecutor().adapter instanceof PostgresAdapter;
  return (postgres ? query.forUpdate() : query).executeTakeFirst();
}
