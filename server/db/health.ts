import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors';
import type { Db } from './connect';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|Client was closed/i;
// SQLSTATE: 08 connection exceptions, 53 insufficient resources (disk full, too many connections),
// 57P0x the server shutting down or starting, 25006 a read-only standby (after a failover).
const PG_STATES = /^(08|53|57P0)|^25006$/;
const SQLITE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|CORRUPT|NOTADB|PROTOCOL|NOLFS|AUTH|PERM)/;

/**
 * Why the database cannot serve, when `err` says it cannot (unreachable, dropped, full, read-only,
 * locked out, failing disk); null for any other error, which is a bug and not an outage.
 */
export function databaseFault(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : '';
  if (SQLITE_CODES.test(c) || NETWORK_CODES.has(c) || PG_STATES.test(c) || PG_MESSAGES.test(err.message))
    return c ? `${c}: ${err.message}` : err.message;
  // AggregateError (several addresses tried) carries the causes.
  if (err instanceof AggregateError)
    for (const e of err.errors) if (databaseFault(e)) return databaseFault(e);
  return null;
}

export const databaseUnavailable = () =>
  new DomainError(
    'database_unavailable',
    'The server cannot use its database right now (unreachable, full or read-only). Try again in a moment.',
    undefined,
    5,
  );

/**
 * What the server knows of its database's health. A request that meets a fault records it (the
 * real cause is logged once, when the database goes from fine to failing); `/readyz` proves it
 * healthy with a write, and says when it is again.
 */
export class DatabaseHealth {
  private cause: string | null = null;
  private readonly listeners: Array<(cause: string) => void> = [];

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /** Called for each fault seen (metrics count them). */
  onFault(listener: (cause: string) => void): void {
    this.listeners.push(listener);
  }

  /** The refusal for `err` when it is a database fault (recorded), else null. */
  refusalFor(err: unknown): DomainError | null {
    const cause = databaseFault(err);
    if (!cause) return null;
    this.fault(cause);
    return databaseUnavailable();
  }

  fault(cause: string): void {
    if (this.cause === null) this.logger.error({ cause }, 'database unavailable');
    this.cause = cause;
    for (const l of this.listeners) l(cause);
  }

  get failing(): string | null {
    return this.cause;
  }

  /**
   * True when the database takes a write (a full or read-only SQLite file still answers reads);
   * records what it says if not.
   */
  async ready(): Promise<boolean> {
    try {
      await this.writeProbe();
    } catch (err) {
      this.fault(databaseFault(err) ?? (err instanceof Error ? err.message : String(err)));
      return false;
    }
    if (this.cause !== null) {
      this.logger.info({ after: this.cause }, 'database available again');
      this.cause = null;
    }
    return true;
  }

  /** A committed write that needs a fresh page: it fails on a full disk or a read-only file. */
  private async writeProbe(): Promise<void> {
    const name = `readyz-probe-${randomUUID()}`;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('leases')
        .values({ name, holder: 'readyz', expires_at: new Date(0).toISOString(), value: 'x'.repeat(8192) })
        .execute();
      await trx.deleteFrom('leases').where('name', '=', name).execute();
    });
  }
}
