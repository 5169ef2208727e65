import type { AuthResponse, PublicUser } from '../../contracts/api';
import type { Db } from '../db/connect';
import type { UsersTable } from '../db/schema';
import { DomainError } from '../domain/errors';
import type { AccessTokens } from '../security/access-tokens';
import type { LoginThrottle } from '../security/login-throttle';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from '../security/passwords';
import type { RefreshTokens } from '../security/refresh-tokens';
import type { Devices } from './devices';
import { newUserRow, requireUser } from './users';

export function publicUser(row: Pick<UsersTable, 'id' | 'email' | 'plan' | 'created_at'>): PublicUser {
  return { id: row.id, email: row.email, plan: row.plan, createdAt: row.created_at };
}

const isUniqueViolation = (e: unknown) =>
  /unique|duplicate/i.test(e instanceof Error ? e.message : String(e));

/** Sign-up, sign-in, refresh and sign-out. Emails arrive normalised by the contract. */
export class Accounts {
  constructor(
    private readonly deps: {
      db: Db;
      access: AccessTokens;
      refresh: RefreshTokens;
      throttle: LoginThrottle;
      devices: Devices;
      now: () => Date;
    },
  ) {}

  /** A session: a new refresh token (bound to the device signing in, if named) or the rotated one. */
  private async session(
    row: Pick<UsersTable, 'id' | 'email' | 'plan' | 'created_at'>,
    refresh: { token: string } | { deviceId: string | undefined },
  ): Promise<AuthResponse> {
    const access = await this.deps.access.issue(row.id);
    let refreshToken: string;
    if ('token' in refresh) refreshToken = refresh.token;
    else {
      refreshToken = await this.deps.refresh.issue(row.id, undefined, refresh.deviceId ?? null);
      if (refresh.deviceId) await this.deps.devices.signedIn(row.id, refresh.deviceId);
    }
    return {
      user: publicUser(row),
      accessToken: access.token,
      refreshToken,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
    };
  }

  async register(email: string, password: string, deviceId?: string): Promise<AuthResponse> {
    const now = this.deps.now().toISOString();
    const row = newUserRow(email, await hashPassword(password), now);
    try {
      await this.deps.db.insertInto('users').values(row).execute();
    } catch (e) {
      if (isUniqueViolation(e))
        throw new DomainError('email_taken', 'An account with this email already exists. Sign in instead.');
      throw e;
    }
    return this.session(row, { deviceId });
  }

  /** A failed login says the same whether or not the email exists, and takes the same time. */
  async login(email: string, password: string, address: string, deviceId?: string): Promise<AuthResponse> {
    const attempt = await this.deps.throttle.attempt(email, address);
    if (!attempt.admitted) {
      const wait = attempt.retryAfter;
      throw new DomainError(
        'rate_limited',
        `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minutes.`,
        { retryAfterSeconds: wait },
        wait,
      );
    }
    const row = await this.deps.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();
    const ok = await verifyPassword(password, row?.password_hash ?? (await DUMMY_HASH_PROMISE));
    if (!row || !ok) {
      throw new DomainError('invalid_credentials', 'Wrong email or password.');
    }
    await this.deps.throttle.forget(attempt.id);
    return this.session(row, { deviceId });
  }

  async refresh(refreshToken: string): Promise<AuthResponse> {
    const rotated = await this.deps.refresh.rotate(refreshToken);
    const row = await this.deps.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', rotated.userId)
      .executeTakeFirst();
    if (!row) throw new DomainError('invalid_refresh_token', 'Please sign in again.');
    return this.session(row, { token: rotated.token });
  }

  async logout(refreshToken: string | undefined): Promise<void> {
    if (refreshToken) await this.deps.refresh.revoke(refreshToken);
  }

  async me(userId: string): Promise<PublicUser> {
    return publicUser(await requireUser(this.deps.db, userId));
  }
}
