import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Db, migrate, openDatabase } from '../../server/db/connect';

export type TestDatabase = {
  name: 'sqlite' | 'postgres';
  db: Db;
  /** A DATABASE_URL naming this very database, for a server in another process. */
  url: string;
  /** Another connection (pool) to it, as a second server process would have. */
  open(): Db;
  dispose(): Promise<void>;
};

/** The databases every server suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const databaseKinds: Array<'sqlite' | 'postgres'> = process.env.TEST_DATABASE_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];

/**
 * A fresh, migrated database. On PostgreSQL each one is a schema of its own (test files run in
 * parallel against one server), dropped afterwards; on SQLite, a file in a temporary folder.
 */
export async function freshDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'siberia-db-'));
    const file = path.join(dir, 'test.db');
    const db = openDatabase({ kind: 'sqlite', file });
    await migrate(db);
    return {
      name: kind,
      db,
      url: `sqlite:${file}`,
      open: () => openDatabase({ kind: 'sqlite', file }),
      async dispose() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.TEST_DATABASE_URL as string;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = openDatabase({ kind: 'postgres', url }, { searchPath: schema });
  await migrate(db);
  const separator = url.includes('?') ? '&' : '?';
  return {
    name: kind,
    db,
    url: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    open: () => openDatabase({ kind: 'postgres', url }, { searchPath: schema }),
    async dispose() {
      await db.destroy();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}
