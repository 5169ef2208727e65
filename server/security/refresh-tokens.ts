import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connect';
import type { Database } from '../db/schema';
import { DomainError } from '../domain/errors';

const REFRESH_DAYS = 60;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Opaque refresh tokens, stored only as hashes. Each use rotates the token within its family; a
 * token used a second time means it leaked, so the whole family is revoked.
 */
export class RefreshTokens {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /** A new token; bound to the device signing in when it says which, so signing it out revokes it. */
  async issue(
    userId: string,
    familyId: string = randomUUID(),
    deviceId: string | null = null,
  ): Promise<string> {
    const token = `rt_${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    await this.db
      .insertInto('refresh_tokens')
      .values({
        token_hash: hash(token),
        user_id: userId,
        family_id: familyId,
        device_id: deviceId,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + REFRESH_DAYS * 86400_000).toISOString(),
        rotated_at: null,
        revoked_at: null,
      })
      .execute();
    return token;
  }

  /** Exchanges a token for a new one in the same family; returns the user id. */
  async rotate(token: string): Promise<{ userId: string; token: string }> {
    const now = this.now().toISOString();
    const row = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', hash(token))
      .executeTakeFirst();
    if (!row || row.revoked_at || row.expires_at <= now)
      throw new DomainError('invalid_refresh_token', 'Please sign in again.');
    // Mark it rotated only if nobody else did first: a concurrent replay loses here, too.
    const claimed = await this.db
      .updateTable('refresh_tokens')
      .set({ rotated_at: now })
      .where('token_hash', '=', row.token_hash)
      .where('rotated_at', 'is', null)
      .executeTakeFirst();
    if (row.rotated_at || Number(claimed.numUpdatedRows) !== 1) {
      await this.revokeFamily(row.family_id);
      throw new DomainError(
        'refresh_token_reused',
        'This sign-in was used twice; every session of it is signed out. Please sign in again.',
      );
    }
    return { userId: row.user_id, token: await this.issue(row.user_id, row.family_id, row.device_id) };
  }

  async revoke(token: string): Promise<void> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .select('family_id')
      .where('token_hash', '=', hash(token))
      .executeTakeFirst();
    if (row) await this.revokeFamily(row.family_id);
  }

  /** Every live token bound to a device (the device was signed out from the device list). */
  async revokeDevice(db: Kysely<Database>, userId: string, deviceId: string): Promise<void> {
    await db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.now().toISOString() })
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.now().toISOString() })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
