/**
 * A fresh, migrated database per test. SQLite: migrate a template file once per run, copy it per test
 * (a copy takes about a millisecond; migrating takes far longer). PostgreSQL (DATABASE_URL=postgres://…):
 * see pg.ts.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, migrateLatest } from '../../src/db/index.js';
import { freshPostgresDatabase, isPostgresRun } from './pg.js';

let tmpRoot: string | undefined;
let template: Promise<string> | undefined;
let counter = 0;

function root(): string {
  tmpRoot ??= mkdtempSync(path.join(os.tmpdir(), 'heavy-av-test-'));
  return tmpRoot;
}

async function migratedTemplate(): Promise<string> {
  const file = path.join(root(), 'template.sqlite3');
  const db = createDb({ databaseUrl: `sqlite:${file}` });
  await migrateLatest(db);
  // Fold the WAL into the main file so a plain file copy carries every table.
  await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  await db.destroy();
  return file;
}

export interface TestDatabase {
  url: string;
  /** Removes the database (its file, or the PostgreSQL database). */
  drop(): Promise<void>;
}

export async function freshDatabase(): Promise<TestDatabase> {
  if (isPostgresRun()) return freshPostgresDatabase();
  template ??= migratedTemplate();
  const source = await template;
  const file = path.join(root(), `db-${process.pid}-${++counter}.sqlite3`);
  copyFileSync(source, file);
  return {
    url: `sqlite:${file}`,
    async drop() {
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

export function testDataDir(): string {
  return root();
}

export function removeTestRoot(): void {
  if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  tmpRoot = undefined;
}
