/**
 * Before start-up (or `npm run migrate`) applies migrations to a SQLite database that already has some,
 * a backup: an upgrade is the moment data is most at risk. A new, empty database needs none.
 */
import { existsSync } from 'node:fs';
import { migrationSource } from '../../migrations/index.js';
import type { Config } from '../config.js';
import { sqliteFileOf } from '../db/index.js';
import { type BackupResult, backupSqlite } from './snapshot.js';
import { openSqlite } from './sqlite.js';

/** Migrations this version knows that the database has not applied (undefined: not a SQLite file yet). */
export async function pendingMigrations(file: string): Promise<{ applied: string[]; pending: string[] }> {
  const known = await migrationSource.getMigrations([]);
  const conn = openSqlite(file, { readonly: true });
  try {
    const hasTable = conn
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'knex_migrations'")
      .pluck()
      .get();
    const applied = hasTable
      ? (conn.prepare('SELECT name FROM knex_migrations ORDER BY id').pluck().all() as string[])
      : [];
    return { applied, pending: known.filter((name) => !applied.includes(name)) };
  } finally {
    conn.close();
  }
}

export async function backupBeforeMigrations(
  config: Pick<Config, 'databaseUrl' | 'backup'>,
): Promise<(BackupResult & { pending: string[] }) | undefined> {
  if (!config.databaseUrl.startsWith('sqlite:')) return undefined;
  const file = sqliteFileOf(config.databaseUrl);
  if (file === ':memory:' || !existsSync(file)) return undefined;
  const { applied, pending } = await pendingMigrations(file);
  if (applied.length === 0 || pending.length === 0) return undefined;
  const result = await backupSqlite({
    sourceFile: file,
    dir: config.backup.dir,
    keepDays: config.backup.keepDays,
    reason: 'pre-migrate',
  });
  return { ...result, pending };
}
