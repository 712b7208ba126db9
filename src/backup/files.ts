/**
 * Backup files on disk: names that sort by time (`heavy-av-2026-12-01T18-11-37-123Z-daily.sqlite3`), the
 * listing of a backup folder, and retention. Only files named by us are ever listed or deleted.
 */
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export type BackupReason = 'manual' | 'daily' | 'pre-migrate';

const NAME = /^heavy-av-(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z-([a-z-]+)\.sqlite3$/;

export function backupFileName(at: Date, reason: BackupReason): string {
  const stamp = at.toISOString().replace(/:/g, '-').replace('.', '-');
  return `heavy-av-${stamp}-${reason}.sqlite3`;
}

export interface BackupFile {
  file: string;
  takenAt: Date;
  reason: string;
  bytes: number;
}

/** Parses a name written by backupFileName; undefined for any other file. */
export function parseBackupFileName(name: string): { takenAt: Date; reason: string } | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const takenAt = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isNaN(takenAt.getTime()) ? undefined : { takenAt, reason: m[6] };
}

/** The backup folder, private to the owner (backups hold everything the database holds). */
export function ensureBackupDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Our backups in `dir`, oldest first. */
export function listBackups(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .flatMap((name) => {
      const parsed = parseBackupFileName(name);
      if (!parsed) return [];
      const file = path.join(dir, name);
      return [{ file, ...parsed, bytes: statSync(file).size }];
    })
    .sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
}

/**
 * Deletes our backups older than `keepDays`, never the newest one (a box that was off for a month still
 * keeps its last backup). Returns the deleted files.
 */
export function pruneBackups(dir: string, keepDays: number, now: Date = new Date()): string[] {
  const backups = listBackups(dir);
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const old = backups.slice(0, -1).filter((b) => b.takenAt.getTime() < cutoff);
  for (const b of old) rmSync(b.file, { force: true });
  return old.map((b) => b.file);
}
