/**
 * The daily backup, once a day across every instance on the database: whoever first takes the lease
 * `backup:daily` (valid a day, never released after a success) takes the backup; the others find it taken.
 * The lease lives in the database, so a restart does not take a second one the same day. A failed backup
 * gives the lease back so the next check (hourly) tries again. SQLite only; PostgreSQL has pg_dump.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../config.js';
import { dialectOf, sqliteFileOf } from '../db/index.js';
import { Locks } from '../db/locks.js';
import type { Logger } from '../logger.js';
import { type BackupResult, backupSqlite } from './snapshot.js';

export const DAILY_LEASE = 'backup:daily';
const DAY_MS = 86_400_000;

export interface DailyBackups {
  /** Takes the day's backup if no instance has yet; resolves to it, or undefined. */
  runOnce(): Promise<BackupResult | undefined>;
  /** Checks `firstMs` after start-up (a minute: not in the way of it), then every `everyMs` (hourly). */
  start(firstMs?: number, everyMs?: number): void;
  stop(): Promise<void>;
}

export function dailyBackups(
  config: Pick<Config, 'databaseUrl' | 'backup'>,
  db: Knex,
  logger: Logger,
  options: { now?: () => number } = {},
): DailyBackups {
  const now = options.now ?? Date.now;
  let running: Promise<BackupResult | undefined> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function attempt(): Promise<BackupResult | undefined> {
    if (dialectOf(db) !== 'sqlite') return undefined;
    // A fresh owner per attempt: the lease must not count as "already ours" an hour later.
    const locks = new Locks(db, `backup-${randomUUID().slice(0, 8)}`, now);
    // A little under a day, so that an hourly check does not drift the time of day later and later.
    if (!(await locks.tryAcquire(DAILY_LEASE, DAY_MS - 30 * 60_000))) return undefined;
    try {
      const result = await backupSqlite({
        sourceFile: sqliteFileOf(config.databaseUrl),
        dir: config.backup.dir,
        keepDays: config.backup.keepDays,
        reason: 'daily',
        now: new Date(now()),
      });
      logger.info(
        { file: result.file, bytes: result.bytes, ms: result.ms, pruned: result.pruned.length },
        'daily backup written and verified',
      );
      return result;
    } catch (err) {
      await locks.release(DAILY_LEASE).catch(() => undefined);
      logger.error({ err }, 'daily backup failed; trying again within the hour');
      return undefined;
    }
  }

  const api: DailyBackups = {
    runOnce() {
      running ??= attempt().finally(() => {
        running = undefined;
      });
      return running;
    },
    start(firstMs = 60_000, everyMs = 3_600_000) {
      const tick = (ms: number) => {
        timer = setTimeout(() => {
          void api.runOnce().finally(() => {
            if (!stopped) tick(everyMs);
          });
        }, ms);
        timer.unref();
      };
      tick(firstMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
  return api;
}
