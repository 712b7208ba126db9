/**
 * An online, consistent snapshot of the SQLite database with SQLite's backup API, while the app serves and
 * writes. A read transaction is opened first and held to the end: the row counts and every page copied come
 * from that one snapshot (WAL mode lets writers go on meanwhile, and the copy never restarts). The copy is
 * written to a hidden partial file (0600 from the start), made a single self-contained file (no WAL), checked
 * (integrity, foreign keys, the counts of every table equal to the source's at snapshot time), and only then
 * renamed to its final name, so a name in the folder always means a verified backup.
 * Inside the server the copy runs in steps with the event loop free between them; the checks at the end hold
 * it (about 0.1 s for a 60 MB database on this machine), once a day.
 */
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { type BackupReason, backupFileName, ensureBackupDir, pruneBackups } from './files.js';
import { openSqlite } from './sqlite.js';
import { countRows, type TableCounts, verifyDatabaseFile } from './verify.js';

export interface BackupOptions {
  /** The live database file. */
  sourceFile: string;
  dir: string;
  keepDays: number;
  reason: BackupReason;
  now?: Date;
  /** Pages copied per step; the event loop runs between steps (about 4 MB with 4 KB pages). */
  pagesPerStep?: number;
}

export interface BackupResult {
  file: string;
  takenAt: Date;
  bytes: number;
  ms: number;
  counts: TableCounts;
  /** Older backups deleted by retention after this one was written. */
  pruned: string[];
}

export async function backupSqlite(options: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const takenAt = options.now ?? new Date();
  ensureBackupDir(options.dir);
  const name = backupFileName(takenAt, options.reason);
  const final = path.join(options.dir, name);
  const partial = path.join(options.dir, `.${name}.partial`);
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    const counts = await copyConsistently(options.sourceFile, partial, options.pagesPerStep ?? 1000);
    const copy = openSqlite(partial);
    try {
      // One file that needs no -wal beside it, whatever the source's journal mode.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    verifyDatabaseFile(partial, counts);
    chmodSync(partial, 0o600);
    syncFile(partial);
    renameSync(partial, final);
    syncFile(options.dir);
    const pruned = pruneBackups(options.dir, options.keepDays, takenAt);
    return { file: final, takenAt, bytes: statSync(final).size, ms: Date.now() - started, counts, pruned };
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(partial + suffix, { force: true });
  }
}

async function copyConsistently(sourceFile: string, destination: string, pagesPerStep: number) {
  const source = openSqlite(sourceFile);
  try {
    source.exec('BEGIN');
    // The first read starts the snapshot; the counts and the copy both see exactly it.
    const counts = countRows(source);
    await source.backup(destination, { progress: () => pagesPerStep });
    source.exec('COMMIT');
    return counts;
  } finally {
    source.close();
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
