/**
 * createDb(config): the one place that knows which database engine runs underneath.
 * SQLite (better-sqlite3) by default; PostgreSQL when DATABASE_URL is postgres://.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../../migrations/index.js';
import { checkpointersStopped, startCheckpointer } from './checkpointer.js';

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
  if (filename !== ':memory:') {
    mkdirSync(path.dirname(path.resolve(filename)), { recursive: true, mode: 0o700 });
    restrictSqliteFiles(filename);
  }
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
          // Checkpoints in a worker thread, not inside a commit on the event loop (see checkpointer.ts);
          // back to SQLite's own automatic checkpoints if the thread cannot run.
          cacheStatements(conn);
          if (filename !== ':memory:') {
            // The -wal and -shm files now exist (SQLite gives them the database file's mode).
            restrictSqliteFiles(filename);
            conn.pragma('wal_autocheckpoint = 0');
            // Under sustained writes (a webhook storm) PASSIVE checkpoints never catch the writer, so the
            // WAL keeps growing until a pause lets it restart; this gives the disk back when it does.
            conn.pragma('journal_size_limit = 67108864');
            const checkpointer = startCheckpointer(filename, () => {
              if (conn.open) conn.pragma('wal_autocheckpoint = 1000');
            });
            const close = conn.close.bind(conn);
            conn.close = () => {
              void checkpointer.stop();
              return close();
            };
          }
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    migrations: { migrationSource, tableName: 'knex_migrations' },
  };
}

/**
 * The database holds session ids, password hashes and encrypted tokens: owner-only (0600), whatever the
 * umask of whoever started the process. Created empty with that mode before SQLite opens it (SQLite then
 * gives its -wal and -shm the same mode); files left 0644 by an earlier version are tightened here.
 */
function restrictSqliteFiles(filename: string): void {
  closeSync(openSync(filename, 'a', 0o600));
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      chmodSync(filename + suffix, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/**
 * knex prepares every query anew; preparing costs more than running most of ours. better-sqlite3
 * statements are reusable (knex runs each to completion at once), so keep the most recent ones by SQL text.
 */
function cacheStatements(conn: { prepare(sql: string): unknown }, size = 500): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (text: string) => {
    // knex opens transactions DEFERRED: one that reads and then writes, while another process (a second
    // instance on the same file) committed in between, fails at once with SQLITE_BUSY (busy_timeout does not
    // apply to that upgrade). IMMEDIATE takes the write lock at BEGIN, where busy_timeout waits for it. One
    // connection per process, so nothing in this process waits longer for it.
    const sql = text === 'BEGIN;' ? 'BEGIN IMMEDIATE;' : text;
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql);
    } else {
      statement = prepare(sql);
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return statement;
  };
}

export function createDb(config: { databaseUrl: string }): Knex {
  const db = knexFactory(knexConfig(config.databaseUrl));
  if (dialectOf(db) !== 'sqlite') return db;
  // Closing the pool stops its checkpointer thread; resolve only once the thread is gone (checkpointer.ts).
  const client = db.client as { destroy(callback?: (err?: unknown) => void): Promise<void> };
  const destroy = client.destroy.bind(client);
  client.destroy = async (callback) => {
    try {
      await destroy();
      await checkpointersStopped();
    } catch (err) {
      if (callback) return callback(err);
      throw err;
    }
    callback?.();
  };
  return db;
}

/**
 * Applies pending migrations. Several instances may start at once on one database: knex then fails in
 * whoever loses the race (its bookkeeping tables "already exist", or "Migration table is already locked"
 * while another instance migrates). Those are retried until the winner is done; the loser then finds
 * nothing left to apply. Any other error is a real one and stops the start.
 */
export async function migrateLatest(db: Knex, waitMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const [, applied] = await db.migrate.latest();
      return applied as string[];
    } catch (err) {
      const racing = /already locked|already exists|duplicate key|UNIQUE constraint failed/i.test(
        String((err as Error)?.message),
      );
      if (!racing || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Current time as stored in the database: ISO-8601 UTC strings sort and compare the same on both engines. */
/** Resolves when the database answers a trivial query (GET /healthz). */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('select 1');
}

export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}

/** The earliest of some ISO timestamps (they sort as text, decision 005); null when none is given. */
export function earliestIso(...times: (string | null | undefined)[]): string | null {
  let first: string | null = null;
  for (const t of times) if (t && (first === null || t < first)) first = t;
  return first;
}

/**
 * Runs `fn` with the pool's own better-sqlite3 connection (SQLite only), for hot paths that want a prepared
 * statement instead of building SQL through knex on every call. The connection is taken from the pool like
 * any knex query takes it (max 1 on SQLite), so a knex transaction in progress elsewhere is waited for,
 * never interleaved with.
 */
export async function withSqliteConnection<T>(db: Knex, fn: (conn: SqliteConnection) => T): Promise<T> {
  const conn = (await db.client.acquireConnection()) as SqliteConnection;
  try {
    return fn(conn);
  } finally {
    db.client.releaseConnection(conn);
  }
}

/** The part of better-sqlite3's Database that withSqliteConnection's callers use. */
export interface SqliteConnection {
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number };
    all(...params: unknown[]): unknown[];
  };
  transaction<A extends unknown[]>(
    fn: (...args: A) => void,
  ): ((...args: A) => void) & { immediate(...args: A): void };
}
