import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { ServerConfig } from '../config';
import { migrationProvider } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

/**
 * Opens the database the configuration names: a SQLite file (WAL, foreign keys on) or a PostgreSQL
 * pool. `searchPath` puts every PostgreSQL connection in one schema (tests isolate themselves so).
 */
export function openDatabase(target: ServerConfig['database'], opts: { searchPath?: string } = {}): Db {
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(path.dirname(path.resolve(target.file)), { recursive: true });
    const sqlite = new SQLite(target.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // Concurrent writers wait for each other instead of failing at once.
    sqlite.pragma('busy_timeout = 5000');
    return new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    ...(opts.searchPath ? { options: `-c search_path=${opts.searchPath}` } : {}),
  });
  // A connection cut (database restarted, network lost) must not end the process: unheard, its
  // 'error' event would. The query using it fails on its own, and the pool drops the connection
  // (idle or given back) and opens another for the next query.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
