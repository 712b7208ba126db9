/**
 * "A server is using this database": every serving process keeps a lease row `server:<host>/<pid>/<id>` in
 * the `locks` table, renewed every 10 s and valid for 30 s, released on a clean stop. `npm run restore`
 * refuses while one is live. A process killed with SIGKILL leaves its row, which runs out within the TTL.
 * (An exclusive-lock attempt cannot tell: in WAL mode an idle server holds no lock at all.)
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import { Locks } from '../db/locks.js';
import type { Logger } from '../logger.js';
import type { SqliteDb } from './sqlite.js';

export const PRESENCE_PREFIX = 'server:';
export const PRESENCE_TTL_MS = 30_000;

export interface Presence {
  readonly name: string;
  stop(): Promise<void>;
}

export async function startPresence(
  db: Knex,
  logger: Logger,
  options: { intervalMs?: number; ttlMs?: number } = {},
): Promise<Presence> {
  const ttlMs = options.ttlMs ?? PRESENCE_TTL_MS;
  const id = `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const locks = new Locks(db, id);
  const name = `${PRESENCE_PREFIX}${id}`;
  // Marks left by servers that were killed: they have run out, and nobody else would delete them.
  await db('locks')
    .where('name', 'like', `${PRESENCE_PREFIX}%`)
    .andWhere('expires_at', '<', new Date().toISOString())
    .del();
  await locks.tryAcquire(name, ttlMs);
  const timer = setInterval(
    () => {
      locks.tryAcquire(name, ttlMs).catch((err) => logger.warn({ err }, 'could not renew the server mark'));
    },
    options.intervalMs ?? ttlMs / 3,
  );
  timer.unref();
  return {
    name,
    async stop() {
      clearInterval(timer);
      await locks.release(name).catch(() => undefined);
    },
  };
}

export interface LiveServer {
  /** host/pid/id of the server. */
  who: string;
  expiresAt: string;
}

/** Servers whose mark is live in the database open on `conn` (none when it has no locks table yet). */
export function liveServers(conn: SqliteDb, now: Date = new Date()): LiveServer[] {
  const hasLocks = conn
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'locks'")
    .pluck()
    .get();
  if (!hasLocks) return [];
  const rows = conn
    .prepare('SELECT name, expires_at FROM locks WHERE name LIKE ? AND expires_at > ? ORDER BY name')
    .all(`${PRESENCE_PREFIX}%`, now.toISOString()) as { name: string; expires_at: string }[];
  return rows.map((r) => ({ who: r.name.slice(PRESENCE_PREFIX.length), expiresAt: r.expires_at }));
}
