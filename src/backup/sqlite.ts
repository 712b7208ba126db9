/**
 * A direct better-sqlite3 connection for backup and restore, apart from the app's knex pool: the backup API
 * and whole-file checks need the driver itself. The package ships no types; this is the part we use.
 */
import { createRequire } from 'node:module';

export interface SqliteStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
  pluck(): SqliteStatement;
}

export interface SqliteDb {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  backup(
    destination: string,
    options?: { progress?: (p: { totalPages: number; remainingPages: number }) => number | undefined },
  ): Promise<{ totalPages: number; remainingPages: number }>;
  close(): void;
}

type Driver = new (
  file: string,
  options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number },
) => SqliteDb;

const Database = createRequire(import.meta.url)('better-sqlite3') as Driver;

/** Opens an existing file (or a new one with `create`); waits up to `timeout` ms for another writer. */
export function openSqlite(
  file: string,
  options: { readonly?: boolean; timeout?: number; create?: boolean } = {},
): SqliteDb {
  return new Database(file, {
    readonly: options.readonly ?? false,
    fileMustExist: !options.create,
    timeout: options.timeout ?? 5000,
  });
}
