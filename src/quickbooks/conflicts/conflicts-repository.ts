/**
 * Conflicts: records Heavy AV will not push or link until an admin decides (decision 009). Durable, one
 * open conflict per record and company at a time; resolved ones are kept for the record's story.
 */

import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';
import type { RecordType } from '../../records/hooks.js';
import { isUniqueViolation } from '../../records/unique-violation.js';

export type ConflictKind = 'number_taken' | 'name_taken' | 'values_differ';

/** One side of the side-by-side look: field label → value as that side has it. */
export type Side = Record<string, string>;

export interface ConflictDetails {
  /** Heavy AV's values and QuickBooks' values, same labels on both sides. */
  heavyAv?: Side;
  quickBooks?: Side;
  /** What holds the name or number in QuickBooks: "vendor", "employee", "inactive customer", "invoice". */
  holder?: string;
}

export interface Conflict {
  id: number;
  realmId: string;
  recordType: RecordType;
  recordId: number;
  kind: ConflictKind;
  qboId: string | null;
  message: string;
  details: ConflictDetails;
  state: 'open' | 'resolved';
  resolution: string | null;
  createdAt: string;
  resolvedAt: string | null;
}

export interface ConflictInput {
  realmId: string;
  recordType: RecordType;
  recordId: number;
  kind: ConflictKind;
  qboId?: string | null;
  message: string;
  details?: ConflictDetails;
}

interface ConflictRow {
  id: number | string;
  realm_id: string;
  record_type: RecordType;
  record_id: number | string;
  kind: ConflictKind;
  qbo_id: string | null;
  message: string;
  details: string | null;
  state: 'open' | 'resolved';
  resolution: string | null;
  created_at: string;
  resolved_at: string | null;
}

function toConflict(row: ConflictRow): Conflict {
  return {
    id: Number(row.id),
    realmId: row.realm_id,
    recordType: row.record_type,
    recordId: Number(row.record_id),
    kind: row.kind,
    qboId: row.qbo_id,
    message: row.message,
    details: row.details ? (JSON.parse(row.details) as ConflictDetails) : {},
    state: row.state,
    resolution: row.resolution,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  };
}

export class ConflictsRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Opens a conflict, replacing an open one of the same record and company (the newest facts win). The
   * database holds one open conflict per record (a partial unique index): of two processes opening one at
   * the same moment, the loser tries once more and supersedes the winner's.
   */
  async open(input: ConflictInput): Promise<void> {
    try {
      await this.replaceOpen(input);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      await this.replaceOpen(input);
    }
  }

  private async replaceOpen(input: ConflictInput): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('qbo_conflicts')
        .where({
          record_type: input.recordType,
          record_id: input.recordId,
          realm_id: input.realmId,
          state: 'open',
        })
        .update({ state: 'resolved', resolution: 'superseded', resolved_at: nowIso() });
      await trx('qbo_conflicts').insert({
        realm_id: input.realmId,
        record_type: input.recordType,
        record_id: input.recordId,
        kind: input.kind,
        qbo_id: input.qboId ?? null,
        message: input.message.slice(0, 1000),
        details: input.details ? JSON.stringify(input.details) : null,
        state: 'open',
        created_at: nowIso(),
      });
    });
  }

  async openFor(recordType: RecordType, recordId: number, realmId: string): Promise<Conflict | undefined> {
    const row = await this.db<ConflictRow>('qbo_conflicts')
      .where({ record_type: recordType, record_id: recordId, realm_id: realmId, state: 'open' })
      .orderBy('id', 'desc')
      .first();
    return row ? toConflict(row) : undefined;
  }

  /** Of many records of one type: which have an open conflict in the company (one query per batch). */
  async openAmong(recordType: RecordType, recordIds: number[], realmId: string): Promise<Set<number>> {
    if (!recordIds.length) return new Set();
    const ids = await this.db('qbo_conflicts')
      .where({ record_type: recordType, realm_id: realmId, state: 'open' })
      .whereIn('record_id', recordIds)
      .pluck('record_id');
    return new Set(ids.map(Number));
  }

  async resolve(
    recordType: RecordType,
    recordId: number,
    realmId: string,
    resolution: string,
    userId: number | null,
  ): Promise<number> {
    return Number(
      await this.db('qbo_conflicts')
        .where({ record_type: recordType, record_id: recordId, realm_id: realmId, state: 'open' })
        .update({
          state: 'resolved',
          resolution,
          resolved_by_user_id: userId,
          resolved_at: nowIso(),
        }),
    );
  }

  async countOpen(realmId: string): Promise<number> {
    const row = await this.db('qbo_conflicts')
      .where({ realm_id: realmId, state: 'open' })
      .count<{ n: string | number }[]>({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  }

  async listOpen(realmId: string, limit = 200): Promise<Conflict[]> {
    const rows = await this.db<ConflictRow>('qbo_conflicts')
      .where({ realm_id: realmId, state: 'open' })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toConflict);
  }
}
