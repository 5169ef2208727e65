import type { Kysely, Transaction } from 'kysely';
import type { DeviceInfo, DevicesResponse } from '../../contracts/api';
import type { Db } from '../db/connect';
import type { Database, DevicesTable } from '../db/schema';
import { DomainError } from '../domain/errors';
import type { RefreshTokens } from '../security/refresh-tokens';
import { lockUser } from './users';

/**
 * The devices holding a place: not signed out, with an entitlement token that has not expired (a
 * device left unused for the offline grace frees its place by itself).
 */
export function holders(db: Kysely<Database>, userId: string, now: Date): Promise<DevicesTable[]> {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('signed_out_at', 'is', null)
    .where('allowance_until', '>', now.toISOString())
    .orderBy('first_seen_at')
    .execute();
}

export function deviceInfo(row: DevicesTable): DeviceInfo {
  return {
    deviceId: row.device_id,
    name: row.name ?? null,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    tokenExpiresAt: row.allowance_until as string,
  };
}

/** Whether a device may hold an entitlement token now, and the other holders if so. */
export type Admission =
  | { admitted: true; others: DevicesTable[] }
  | { admitted: false; reason: 'device_limit'; holders: DevicesTable[] }
  | { admitted: false; reason: 'signed_out' };

/**
 * At most MAX_DEVICES_PER_USER devices hold entitlement tokens; a holder keeps its place when it
 * renews. A device signed out from the list gets none until it signs in again.
 */
export async function admitDevice(
  trx: Transaction<Database>,
  userId: string,
  deviceId: string,
  maxDevices: number,
  now: Date,
): Promise<Admission> {
  const row = await trx
    .selectFrom('devices')
    .select('signed_out_at')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  if (row?.signed_out_at) return { admitted: false, reason: 'signed_out' };
  const all = await holders(trx, userId, now);
  const others = all.filter((d) => d.device_id !== deviceId);
  if (others.length === all.length && all.length >= maxDevices)
    return { admitted: false, reason: 'device_limit', holders: all };
  return { admitted: true, others };
}

export function deviceLimitError(holding: DevicesTable[], limit: number): DomainError {
  const details: DevicesResponse = { devices: holding.map(deviceInfo), limit };
  return new DomainError(
    'device_limit',
    `This account is already in use on ${limit} devices. Sign one of them out to use this one.`,
    details,
  );
}

/** The device list and signing a device out. */
export class Devices {
  constructor(
    private readonly deps: { db: Db; refresh: RefreshTokens; maxDevices: number; now: () => Date },
  ) {}

  async list(userId: string): Promise<DevicesResponse> {
    const rows = await holders(this.deps.db, userId, this.deps.now());
    return { devices: rows.map(deviceInfo), limit: this.deps.maxDevices };
  }

  /**
   * Frees the device's place and its share of the offline budget, and revokes its refresh tokens.
   * The offline uses it made before are still taken when reported (within the month's quota).
   */
  async signOut(userId: string, deviceId: string): Promise<void> {
    const now = this.deps.now().toISOString();
    const found = await this.deps.db.transaction().execute(async (trx) => {
      if (!(await lockUser(trx, userId))) return false;
      const row = await trx
        .selectFrom('devices')
        .select(['signed_out_at', 'allowance_until'])
        .where('user_id', '=', userId)
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
      if (!row) return false;
      if (!row.signed_out_at) {
        // Its token's place and allowance end now: uses it made before still count when reported.
        const until = row.allowance_until && row.allowance_until < now ? row.allowance_until : now;
        await trx
          .updateTable('devices')
          .set({ signed_out_at: now, allowance_until: until })
          .where('user_id', '=', userId)
          .where('device_id', '=', deviceId)
          .execute();
      }
      await this.deps.refresh.revokeDevice(trx, userId, deviceId);
      return true;
    });
    if (!found) throw new DomainError('not_found', 'This account has no such device.');
  }

  /** A device that signs in again may hold a place again (its sign-out is over). */
  async signedIn(userId: string, deviceId: string): Promise<void> {
    await this.deps.db
      .updateTable('devices')
      .set({ signed_out_at: null })
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .execute();
  }
}
