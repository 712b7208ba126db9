/**
 * What the alert monitor reads from other features' tables, read-only: the push outbox's records that
 * failed for good or sit in conflict, and processed data-deletion requests. Aggregates only.
 */
import type { Knex } from 'knex';

export interface FailingRecords {
  /** Refused by QuickBooks for good (outbox status 'failed'). */
  failed: number;
  /** Changed on both sides, waiting for an admin's choice. */
  conflicts: number;
}

/**
 * The outbox statuses that count as "in conflict". Issue 15 is adding a conflict state; until it lands the
 * outbox's own 'conflict' status is counted here, and only this line changes if it becomes a table.
 */
export const CONFLICT_STATUSES = ['conflict'];

export class AlertSourcesRepository {
  constructor(private readonly db: Knex) {}

  /** The one place records failing or in conflict are counted for alerts. */
  async failingRecords(): Promise<FailingRecords> {
    const rows = await this.db('qbo_outbox')
      .whereIn('status', ['failed', ...CONFLICT_STATUSES])
      .groupBy('status')
      .select('status')
      .count<{ status: string; n: string | number }[]>({ n: '*' });
    let failed = 0;
    let conflicts = 0;
    for (const r of rows) {
      if (r.status === 'failed') failed += Number(r.n);
      else conflicts += Number(r.n);
    }
    return { failed, conflicts };
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
