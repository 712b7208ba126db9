import type { Knex } from 'knex';
import { dialectOf, nowIso } from '../db/index.js';
import { type BudgetKey, waitAfter } from './login-budgets.js';

interface AttemptRow {
  key: string;
  failures: number | string;
  blocked_until: string | null;
  last_failure_at: string;
}

export type Reservation =
  | {
      allowed: true /** When the budgets open again if this attempt fails (null: at once). */;
      blockedUntil: Date | null;
    }
  | { allowed: false; blockedUntil: Date };

/**
 * Failed sign-ins counted in the database, so every instance sees the same count. An attempt is counted
 * BEFORE its password is hashed, in one transaction with the rows locked: a burst of parallel guesses
 * each sees the count the previous one left, instead of all reading the same old count while they hash.
 */
export class LoginAttemptsRepository {
  constructor(private readonly db: Knex) {}

  /** Charges one failure to every budget, or refuses (charging nothing) while any budget waits. */
  async reserve(keys: BudgetKey[], now: Date): Promise<Reservation> {
    // Always the same order: two attempts locking the same rows can never deadlock.
    const sorted = [...keys].sort((a, b) => a.key.localeCompare(b.key));
    const at = now.getTime();
    return this.db.transaction(async (trx) => {
      await trx('login_attempts')
        .insert(
          sorted.map(({ key }) => ({ key, failures: 0, blocked_until: null, last_failure_at: nowIso(now) })),
        )
        .onConflict('key')
        .ignore();
      const query = trx<AttemptRow>('login_attempts')
        .whereIn(
          'key',
          sorted.map((k) => k.key),
        )
        .orderBy('key');
      // SQLite runs one writer at a time anyway; PostgreSQL needs the rows locked.
      const rows = dialectOf(this.db) === 'postgres' ? await query.forUpdate() : await query;
      const byKey = new Map(rows.map((r) => [r.key, r]));
      let waitUntil = 0;
      const next: { key: string; failures: number; blockedUntil: number }[] = [];
      for (const { key, budget } of sorted) {
        const row = byKey.get(key)!;
        const forgotten = at - Date.parse(row.last_failure_at) > budget.forgetMs;
        const blocked = row.blocked_until && !forgotten ? Date.parse(row.blocked_until) : 0;
        if (blocked > at) waitUntil = Math.max(waitUntil, blocked);
        const failures = (forgotten ? 0 : Number(row.failures)) + 1;
        const wait = waitAfter(failures, budget);
        next.push({ key, failures, blockedUntil: wait ? at + wait : 0 });
      }
      if (waitUntil) return { allowed: false, blockedUntil: new Date(waitUntil) };
      for (const n of next) {
        await trx('login_attempts')
          .where({ key: n.key })
          .update({
            failures: n.failures,
            blocked_until: n.blockedUntil ? new Date(n.blockedUntil).toISOString() : null,
            last_failure_at: nowIso(now),
          });
      }
      const latest = Math.max(...next.map((n) => n.blockedUntil));
      return { allowed: true, blockedUntil: latest ? new Date(latest) : null };
    });
  }

  /**
   * The password was right: the account's budgets start again, and the client gets back the failure
   * charged in advance (its other failures stay: one good account must not reset a sprayer's budget).
   */
  async succeeded(resetKeys: string[], refundKey: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('login_attempts').whereIn('key', resetKeys).delete();
      await trx('login_attempts')
        .where({ key: refundKey })
        .where('failures', '>', 0)
        .update({ failures: trx.raw('failures - 1'), blocked_until: null });
    });
  }
}
