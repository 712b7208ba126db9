/**
 * For the backup and restore tests: a migrated SQLite database in the test folder whatever the suite's
 * engine (backups are a SQLite feature), a private backup folder, and the commands as real processes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { createDb, migrateLatest } from '../../src/db/index.js';
import { TEST_SECRETS } from './app.js';
import { testDataDir } from './db.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(testDataDir(), `${prefix}-`));
}

/** A new SQLite file with every migration applied; returns its sqlite: URL. */
export async function migratedSqlite(dir = tempDir('db')): Promise<string> {
  const url = `sqlite:${path.join(dir, 'heavy-av.sqlite3')}`;
  const db = createDb({ databaseUrl: url });
  await migrateLatest(db);
  await db.destroy();
  return url;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (src/cli/*.ts) with tsx, without blocking the event loop (a server may be under load). */
export function runCommand(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SECRETS, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
