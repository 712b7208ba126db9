/**
 * What the alert monitor reads from other features' tables, read-only: the push outbox's records that
 * failed for good, open conflicts, and processed data-deletion requests. Aggregates only.
 */
import type { Knex } from 'knex';

export interface FailingRecords {
  /** Refused by QuickBooks for good (outbox status 'failed'). */
  failed: number;
  /** Changed on both sides, waiting for an admin's choice. */
  conflicts: number;
}

export class AlertSourcesRepository {
  constructor(private readonly db: Knex) {}

  /**
   * The one place records failing or in conflict are counted for alerts: failed outbox items, and open
   * conflicts (qbo_conflicts, decision 009; a conflict found by a pull has no outbox item at all).
   */
  async failingRecords(): Promise<FailingRecords> {
    const failed = await this.db('qbo_outbox')
      .where('status', 'failed')
      .count<{ n: string | number }[]>({ n: '*' })
      .first();
    const conflicts = await this.db('qbo_conflicts')
      .where('state', 'open')
      .count<{ n: string | number }[]>({ n: '*' })
      .first();
    return { failed: Number(failed?.n ?? 0), conflicts: Number(conflicts?.n ?? 0) };
  }

  /** Deletion requests processed since `sinceIso` (the web page and `npm run qbo:purge` alike). */
  async deletionsProcessedSince(sinceIso: string): Promise<{ id: number; processedAt: string }[]> {
    const rows = await this.db('qbo_deletion_requests')
      .where({ status: 'processed' })
      .where('processed_at', '>=', sinceIso)
      .orderBy('id')
      .select('id', 'processed_at');
    return rows.map((r: { id: number; processed_at: string }) => ({ id: r.id, processedAt: r.processed_at }));
  }
}
