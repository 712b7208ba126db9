/**
 * Checks that a file is a sound Heavy AV database: SQLite's own integrity and foreign-key checks, the knex
 * migrations table (what makes it ours), and the row count of every table.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { openSqlite, type SqliteDb } from './sqlite.js';

export class BackupVerificationError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'BackupVerificationError';
  }
}

export type TableCounts = Record<string, number>;

export interface Verified {
  counts: TableCounts;
  /** Names of the migrations recorded in the file, in the order they were applied. */
  migrations: string[];
}

/** Every user table of the connection's database and its row count, read in the caller's transaction. */
export function countRows(db: SqliteDb): TableCounts {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const counts: TableCounts = {};
  for (const table of tables) {
    counts[table] = db
      .prepare(`SELECT count(*) FROM "${table.replace(/"/g, '""')}"`)
      .pluck()
      .get() as number;
  }
  return counts;
}

function looksLikeSqlite(file: string): boolean {
  const header = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === 'SQLite format 3\0';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Throws BackupVerificationError naming what is wrong; `expected` counts must match exactly when given. */
export function verifyDatabaseFile(file: string, expected?: TableCounts): Verified {
  if (!looksLikeSqlite(file)) throw new BackupVerificationError(file, 'not an SQLite database');
  const db = openSqlite(file, { readonly: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[];
    const problems = integrity.map((r) => r.integrity_check).filter((m) => m !== 'ok');
    if (problems.length) {
      throw new BackupVerificationError(file, `integrity check failed: ${problems.slice(0, 3).join('; ')}`);
    }
    const orphans = db.pragma('foreign_key_check') as unknown[];
    if (orphans.length) {
      throw new BackupVerificationError(file, `${orphans.length} rows point at rows that do not exist`);
    }
    const counts = countRows(db);
    if (counts.knex_migrations === undefined) {
      throw new BackupVerificationError(file, 'not a Heavy AV database (no knex_migrations table)');
    }
    const migrations = db.prepare('SELECT name FROM knex_migrations ORDER BY id').pluck().all() as string[];
    if (expected) {
      const differ = Object.keys({ ...expected, ...counts }).filter((t) => expected[t] !== counts[t]);
      if (differ.length) {
        const what = differ.map((t) => `${t} ${counts[t] ?? 'missing'} (source ${expected[t] ?? 'missing'})`);
        throw new BackupVerificationError(file, `row counts differ from the source: ${what.join(', ')}`);
      }
    }
    return { counts, migrations };
  } catch (err) {
    if (err instanceof BackupVerificationError) throw err;
    throw new BackupVerificationError(file, (err as Error).message);
  } finally {
    db.close();
  }
}
