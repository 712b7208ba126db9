/**
 * Restores a backup over the SQLite database: the file is copied next to the database and verified there
 * (the bytes checked are the bytes installed), the database must not be in use by a server, the current
 * database is kept aside under a timestamped name, the copy is renamed into place, leases of the processes
 * that ran when the backup was taken are cleared, and pending migrations are applied.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { migrationSource } from '../../migrations/index.js';
import { createDb, migrateLatest, sqliteFileOf } from '../db/index.js';
import { type LiveServer, liveServers, PRESENCE_TTL_MS } from './presence.js';
import { openSqlite } from './sqlite.js';
import { BackupVerificationError, type TableCounts, verifyDatabaseFile } from './verify.js';

export class DatabaseInUseError extends Error {
  constructor(
    readonly file: string,
    readonly servers: LiveServer[],
  ) {
    const who = servers.map((s) => s.who).join(', ');
    super(
      `A Heavy AV server is using ${file} (host/pid: ${who}). Stop it first (systemctl stop heavy-av, ` +
        `or Ctrl-C / kill PID for npm start), then run the restore again. A server that crashed stops ` +
        `counting as running ${PRESENCE_TTL_MS / 1000} s after its last sign of life.`,
    );
    this.name = 'DatabaseInUseError';
  }
}

export interface RestoreResult {
  target: string;
  /** Where the database that was replaced now is (undefined when there was none). */
  keptAside: string | undefined;
  counts: TableCounts;
  migrated: string[];
}

function stamp(now: Date): string {
  return now.toISOString().replace(/:/g, '-').replace('.', '-');
}

export async function restoreSqlite(
  backupFile: string,
  databaseUrl: string,
  now: Date = new Date(),
): Promise<RestoreResult> {
  const source = path.resolve(backupFile);
  const target = path.resolve(sqliteFileOf(databaseUrl));
  if (!existsSync(source)) throw new BackupVerificationError(source, 'no such file');
  if (source === target) throw new BackupVerificationError(source, 'is the database itself');
  mkdirSync(path.dirname(target), { recursive: true });
  const incoming = `${target}.restoring-${stamp(now)}`;
  copyFileSync(source, incoming);
  chmodSync(incoming, 0o600);
  let keptAside: string | undefined;
  try {
    const { counts, migrations } = verifyDatabaseFile(incoming);
    const known = new Set(await migrationSource.getMigrations([]));
    const unknown = migrations.filter((m) => !known.has(m));
    if (unknown.length) {
      throw new BackupVerificationError(
        source,
        `was written by a newer Heavy AV (migrations unknown here: ${unknown.join(', ')}); upgrade first`,
      );
    }
    if (existsSync(target)) keptAside = setAside(target, `${target}.before-restore-${stamp(now)}`);
    renameSync(incoming, target);
    clearLeases(target);
    const db = createDb({ databaseUrl: `sqlite:${target}` });
    let migrated: string[];
    try {
      migrated = await migrateLatest(db);
    } finally {
      await db.destroy();
    }
    return { target, keptAside, counts, migrated };
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(incoming + suffix, { force: true });
  }
}

/**
 * Refuses while a server holds the database; otherwise folds its WAL into it and renames it (and any
 * leftover -wal/-shm) to `aside`. The check runs under the write lock, so no writer is mid-commit.
 */
function setAside(target: string, aside: string): string {
  const conn = openSqlite(target);
  try {
    conn.exec('BEGIN IMMEDIATE');
    const servers = liveServers(conn);
    conn.exec('COMMIT');
    if (servers.length) throw new DatabaseInUseError(target, servers);
    conn.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    if (conn.inTransaction) conn.exec('ROLLBACK');
    conn.close();
  }
  renameSync(target, aside);
  chmodSync(aside, 0o600);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(target + suffix)) renameSync(target + suffix, aside + suffix);
  }
  return aside;
}

/** The leases in a backup belong to processes of the snapshot's time: none of them holds anything now. */
function clearLeases(file: string): void {
  const conn = openSqlite(file);
  try {
    const hasLocks = conn
      .prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='locks'")
      .pluck()
      .get();
    if (hasLocks) conn.prepare('DELETE FROM locks').run();
  } finally {
    conn.close();
  }
}
