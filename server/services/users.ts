import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect';
import type { UsersTable } from '../db/schema';
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
