import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import type { ServerConfig } from '../config';
import { migrationProvider } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

/**
 * How long connecting to PostgreSQL may take, how long a request may wait for one of the pool's
 * connections (a busy moment queues; only a database that is away fails it), and a statement.
 */
export const PG_CONNECT_TIMEOUT_MS = 3000;
export const PG_POOL_WAIT_MS = 10_000;
export const PG_QUERY_TIMEOUT_MS = 5000;

/** pg's Pool hands its own wait limit to its clients; they get the shorter connect limit instead. */
class QuickConnectClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS });
  }
}

/**
 * Opens the database the configuration names: a SQLite file (WAL, foreign keys on, owner-only) or a
 * PostgreSQL pool. `searchPath` puts every PostgreSQL connection in one schema (tests isolate
 * themselves so). `onConnectionError` hears of connections PostgreSQL dropped: without a listener
 * a dropped idle connection is an unhandled 'error' event that ends the process.
 */
export function openDatabase(
  target: ServerConfig['database'],
  opts: {
    searchPath?: string;
    onConnectionError?: (err: Error) => void;
    /** PostgreSQL statement limit; null for none (migrations, which may rewrite a large table). */
    queryTimeoutMs?: number | null;
  } = {},
): Db {
  if (target.kind === 'sqlite') {
    const sqlite = new SQLite(target.file === ':memory:' ? target.file : createPrivately(target.file));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // Concurrent writers wait for each other instead of failing at once.
    sqlite.pragma('busy_timeout = 5000');
    return new Kysely<Database>({ dialect: new SturdySqliteDialect(sqlite) });
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    // An unreachable or hung database is a quick refusal (503), not a request that hangs.
    Client: QuickConnectClient,
    connectionTimeoutMillis: PG_POOL_WAIT_MS,
    ...(opts.queryTimeoutMs === null ? {} : { query_timeout: opts.queryTimeoutMs ?? PG_QUERY_TIMEOUT_MS }),
    keepAlive: true,
    ...(opts.searchPath ? { options: `-c search_path=${opts.searchPath}` } : {}),
  });
  const onError = (err: Error) => opts.onConnectionError?.(err);
  // Idle connections report to the pool; a checked-out one between two statements reports to itself.
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The database file, its WAL and shared-memory files and the folder they live in are private:
 * SQLite gives the -wal and -shm files the mode of the database file, so creating that one 0600
 * (in a 0700 folder) is enough.
 */
function createPrivately(file: string): string {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  return file;
}

/**
 * SQLite rolls a transaction back by itself when a write fails with SQLITE_FULL, SQLITE_IOERR and
 * the like; Kysely's own ROLLBACK then throws "cannot rollback - no transaction is active", which
 * would replace the real cause in the log. Rolling back only what is still open keeps the cause.
 */
class SturdySqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: cachingStatements(sqlite) });
  }
  override createDriver(): Driver {
    const driver = super.createDriver();
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = async (connection: DatabaseConnection) => {
      if (this.sqlite.inTransaction) await rollback(connection);
    };
    return driver;
  }
}

/**
 * Kysely prepares every query anew, and preparing costs more than running a small query on
 * SQLite; the same SQL text gets the same prepared statement back. Bounded, since ad-hoc SQL
 * (migrations, tests) would otherwise grow it.
 */
function cachingStatements(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver);
      return (source: string) => {
        let statement = cache.get(source);
        if (!statement) {
          statement = prepare(source);
          if (cache.size >= 500) cache.clear();
          cache.set(source, statement);
        }
        return statement;
      };
    },
  });
}

/** Runs every migration not yet applied; throws with the failing migration's name. */
export async function migrate(db: Db): Promise<string[]> {
  // Kysely looks for its migration tables in any schema unless told which: name the current one,
  // or a database with several schemas (tests, or a shared server) would find another's tables.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `Database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
