/**
 * createDb(config): the one place that knows which database engine runs underneath.
 * SQLite (better-sqlite3) by default; PostgreSQL when DATABASE_URL is postgres://.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../../migrations/index.js';

export type Db = Knex;
export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(db: Knex): Dialect {
  return db.client.config.client === 'pg' ? 'postgres' : 'sqlite';
}

export function sqliteFileOf(databaseUrl: string): string {
  return databaseUrl.replace(/^sqlite:(\/\/)?/, '');
}

export function knexConfig(databaseUrl: string): Knex.Config {
  if (databaseUrl.startsWith('postgres')) {
    return {
      client: 'pg',
      connection: databaseUrl,
      pool: { min: 0, max: 10 },
      migrations: { migrationSource, tableName: 'knex_migrations' },
    };
  }
  const filename = sqliteFileOf(databaseUrl);
  if (filename !== ':memory:') mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // better-sqlite3 is synchronous; one connection serialises writers in this process, which SQLite
    // would do anyway, and keeps transactions from waiting on each other's locks.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: any, done: (err: Error | null, conn: unknown) => void) {
        try {
          // WAL lets readers (page views) proceed while a writer (a sync worker) commits.
          conn.pragma('journal_mode = WAL');
          // SQLite leaves foreign keys off by default; our cascades and integrity rely on them.
          conn.pragma('foreign_keys = ON');
          // Another process (npm run qbo:purge, a second app) may hold the write lock briefly: wait for it
          // instead of failing at once with SQLITE_BUSY.
          conn.pragma('busy_timeout = 5000');
          // In WAL mode NORMAL is durable against application crashes and much faster than FULL.
          conn.pragma('synchronous = NORMAL');
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    migrations: { migrationSource, tableName: 'knex_migrations' },
  };
}

export function createDb(config: { databaseUrl: string }): Knex {
  return knexFactory(knexConfig(config.databaseUrl));
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = await db.migrate.latest();
  return applied as string[];
}

/** Current time as stored in the database: ISO-8601 UTC strings sort and compare the same on both engines. */
export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}
