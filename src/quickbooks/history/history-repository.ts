/**
 * Reading sync_events for the history page and its CSV, newest first, paged by keyset on (at, id).
 *
 * No OFFSET: page 2,000 costs what page 1 costs. The cursor is the id of the last row shown; its `at` is
 * looked up by primary key. The condition is written as `at <= ? AND (at < ? OR id < ?)` rather than a
 * row-value comparison so both SQLite and PostgreSQL see a plain range on `at` and walk the
 * (…, at, id) indexes backwards (see migrations 20261128003001 and 20261128006001).
 */
import type { Knex } from 'knex';
import { type HistoryFilter, startOfDay, startOfNextDay } from './filter.js';

export interface SyncEvent {
  id: number;
  at: string;
  runId: number | null;
  realmId: string | null;
  direction: string;
  entity: string;
  localId: number | null;
  qboId: string | null;
  operation: string;
  result: string;
  errorCode: string | null;
  errorMessage: string | null;
  intuitTid: string | null;
}

interface SyncEventRow {
  id: number | string;
  at: string;
  run_id: number | string | null;
  realm_id: string | null;
  direction: string;
  entity: string;
  local_id: number | string | null;
  qbo_id: string | null;
  operation: string;
  result: string;
  error_code: string | null;
  error_message: string | null;
  intuit_tid: string | null;
}

function toSyncEvent(row: SyncEventRow): SyncEvent {
  return {
    id: Number(row.id),
    at: row.at,
    runId: row.run_id === null ? null : Number(row.run_id),
    realmId: row.realm_id,
    direction: row.direction,
    entity: row.entity,
    localId: row.local_id === null ? null : Number(row.local_id),
    qboId: row.qbo_id,
    operation: row.operation,
    result: row.result,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    intuitTid: row.intuit_tid,
  };
}

export interface Cursor {
  at: string;
  id: number;
}

export class HistoryRepository {
  constructor(private readonly db: Knex) {}

  /** The (at, id) of an event, to continue after it; undefined when it no longer exists. */
  async cursorAt(id: number): Promise<Cursor | undefined> {
    const row = await this.db('sync_events').where({ id }).first('id', 'at');
    return row ? { at: row.at, id: Number(row.id) } : undefined;
  }

  /** Up to `limit` events matching the filter, newest first, strictly after the cursor. */
  async events(filter: HistoryFilter, options: { after?: Cursor; limit: number }): Promise<SyncEvent[]> {
    const q = this.db<SyncEventRow>('sync_events');
    if (filter.direction) q.where('direction', filter.direction);
    if (filter.entity) q.where('entity', filter.entity);
    if (filter.result) q.where('result', filter.result);
    if (filter.from) q.where('at', '>=', startOfDay(filter.from));
    if (filter.to) q.where('at', '<', startOfNextDay(filter.to));
    const after = options.after;
    if (after) {
      q.where('at', '<=', after.at).andWhere((w) => {
        w.where('at', '<', after.at).orWhere('id', '<', after.id);
      });
    }
    const rows = await q
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit);
    return rows.map(toSyncEvent);
  }

  /** Every matching event, newest first, in batches: memory stays flat however many there are. */
  async *batches(filter: HistoryFilter, size = 1000): AsyncGenerator<SyncEvent[]> {
    let after: Cursor | undefined;
    for (;;) {
      const batch = await this.events(filter, { after, limit: size });
      if (batch.length) yield batch;
      if (batch.length < size) return;
      const last = batch[batch.length - 1];
      after = { at: last.at, id: last.id };
    }
  }

  /** realm id → company name, for the audit log (a handful of rows: one per company ever connected). */
  async companyNames(): Promise<Map<string, string>> {
    const rows = await this.db('qbo_connections').select('realm_id', 'company_name');
    return new Map(
      rows.filter((r) => r.company_name).map((r) => [String(r.realm_id), String(r.company_name)]),
    );
  }
}
