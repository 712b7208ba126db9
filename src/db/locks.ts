/**
 * Leases in the database: "only one holder at a time" across every process that shares the database,
 * on SQLite and PostgreSQL alike, with no engine-specific locking. A lease expires by itself, so a
 * process that dies while holding one gives it up after `ttlMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export class Locks {
  /** Who holds a lease: unique per Locks instance (one per app instance), so two apps never share one. */
  readonly owner: string;

  constructor(
    private readonly db: Knex,
    owner?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.owner = owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  /** Takes the lease if it is free, expired, or already ours. */
  async tryAcquire(name: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const expiresAt = new Date(now + ttlMs).toISOString();
    await this.db('locks')
      .insert({ name, owner: this.owner, expires_at: expiresAt })
      .onConflict('name')
      .ignore();
    const taken = await this.db('locks')
      .where({ name })
      .andWhere((q) => q.where('owner', this.owner).orWhere('expires_at', '<', new Date(now).toISOString()))
      .update({ owner: this.owner, expires_at: expiresAt });
    return Number(taken) === 1;
  }

  async release(name: string): Promise<void> {
    await this.db('locks').where({ name, owner: this.owner }).del();
  }

  /** Waits (polling) for the lease, runs fn, releases. Throws LockTimeoutError after waitMs. */
  async withLock<T>(
    name: string,
    fn: () => Promise<T>,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<T> {
    const ttlMs = options.ttlMs ?? 30_000;
    const deadline = this.now() + (options.waitMs ?? 30_000);
    let delay = 10;
    while (!(await this.tryAcquire(name, ttlMs))) {
      if (this.now() > deadline) throw new LockTimeoutError(name);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 200);
    }
    try {
      return await fn();
    } finally {
      await this.release(name);
    }
  }
}

export class LockTimeoutError extends Error {
  constructor(name: string) {
    super(`timed out waiting for lock ${name}`);
    this.name = 'LockTimeoutError';
  }
}
