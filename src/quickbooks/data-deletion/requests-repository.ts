/** qbo_deletion_requests: what was asked, by whom, and (once processed) the audit entry of its receipt. */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';

export type DeletionRequestStatus = 'pending' | 'processed';

export interface DeletionRequest {
  id: number;
  requestedAt: string;
  requestedByUserId: number | null;
  requestedByEmail: string | null;
  status: DeletionRequestStatus;
  processedAt: string | null;
  processedBy: string | null;
  receiptAuditId: number | null;
  note: string | null;
}

interface DeletionRequestRow {
  id: number | string;
  requested_at: string;
  requested_by_user_id: number | string | null;
  requested_by_email: string | null;
  status: DeletionRequestStatus;
  processed_at: string | null;
  processed_by: string | null;
  receipt_audit_id: number | string | null;
  note: string | null;
}

function toDeletionRequest(row: DeletionRequestRow): DeletionRequest {
  return {
    id: Number(row.id),
    requestedAt: row.requested_at,
    requestedByUserId: row.requested_by_user_id === null ? null : Number(row.requested_by_user_id),
    requestedByEmail: row.requested_by_email,
    status: row.status,
    processedAt: row.processed_at,
    processedBy: row.processed_by,
    receiptAuditId: row.receipt_audit_id === null ? null : Number(row.receipt_audit_id),
    note: row.note,
  };
}

export class DeletionRequestsRepository {
  constructor(private readonly db: Knex) {}

  async create(
    input: { user: { id: number; email: string } | null; note: string | null },
    trx: Knex = this.db,
  ): Promise<DeletionRequest> {
    const [row] = await trx('qbo_deletion_requests')
      .insert({
        requested_at: nowIso(),
        requested_by_user_id: input.user?.id ?? null,
        requested_by_email: input.user?.email ?? null,
        status: 'pending',
        note: input.note,
      })
      .returning('*');
    return toDeletionRequest(row);
  }

  async find(id: number, trx: Knex = this.db): Promise<DeletionRequest | undefined> {
    const row = await trx<DeletionRequestRow>('qbo_deletion_requests').where({ id }).first();
    return row ? toDeletionRequest(row) : undefined;
  }

  async firstPending(trx: Knex = this.db): Promise<DeletionRequest | undefined> {
    const row = await trx<DeletionRequestRow>('qbo_deletion_requests')
      .where({ status: 'pending' })
      .orderBy('id')
      .first();
    return row ? toDeletionRequest(row) : undefined;
  }

  /** Newest first. Requests are rare (a handful in the life of an install): no paging needed. */
  async list(limit = 100): Promise<DeletionRequest[]> {
    const rows = await this.db<DeletionRequestRow>('qbo_deletion_requests')
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toDeletionRequest);
  }

  /**
   * Marks a pending request processed; false when it was not pending. The conditional UPDATE is the
   * once-only guard: a second (or concurrent) processing finds nothing to update and deletes nothing.
   */
  async claim(id: number, processedBy: string, at: string, trx: Knex): Promise<boolean> {
    const updated = await trx('qbo_deletion_requests')
      .where({ id, status: 'pending' })
      .update({ status: 'processed', processed_at: at, processed_by: processedBy });
    return Number(updated) === 1;
  }

  async setReceipt(id: number, auditId: number, trx: Knex): Promise<void> {
    await trx('qbo_deletion_requests').where({ id }).update({ receipt_audit_id: auditId });
  }
}
