/**
 * The durable push queue. An item is written in the same transaction as the record change; a worker in
 * any process claims items with a lease (claimed_by/claimed_until). The claim is an UPDATE whose WHERE
 * re-checks that the item is still free, so on SQLite and PostgreSQL alike two workers can never both
 * win an item, and an item whose worker died comes back when its lease runs out.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { RecordType } from '../../records/hooks.js';

export interface OutboxItem {
  id: number;
  realmId: string | null;
  recordType: RecordType;
  recordId: number;
  attempts: number;
  runId: number | null;
  /** Part of the requestid (decision 009): renewed after a definitive answer so a retry is a new request. */
  requestKey: string | null;
  /** Create without DocNumber: an admin let QuickBooks number the document. */
  noDocNumber: boolean;
}

/** A qbo_outbox row as the driver returns it (ids may come back as strings on PostgreSQL). */
interface OutboxTableRow {
  id: number | string;
  realm_id: string | null;
  record_type: RecordType;
  record_id: number | string;
  attempts: number | string;
  run_id: number | string | null;
  request_key: string | null;
  no_doc_number: boolean | number | null;
}

function toItem(row: OutboxTableRow): OutboxItem {
  return {
    id: Number(row.id),
    realmId: row.realm_id,
    recordType: row.record_type,
    recordId: Number(row.record_id),
    attempts: Number(row.attempts),
    runId: row.run_id === null ? null : Number(row.run_id),
    requestKey: row.request_key ?? null,
    noDocNumber: Boolean(row.no_doc_number),
  };
}

/** A fresh part for requestids: 16 hex characters. */
export function newRequestKey(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

const PRIORITY: Record<RecordType, number> = { customer: 0, estimate: 1, invoice: 1 };

export class OutboxRepository {
  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  private iso(offsetMs = 0): string {
    return new Date(this.now() + offsetMs).toISOString();
  }

  /**
   * Queues a push of the record for the company. A change to a record that already waits (and is not
   * being pushed right now) folds into the waiting item: the push always sends the latest state anyway.
   */
  async enqueue(
    item: { realmId: string | null; recordType: RecordType; recordId: number; runId?: number | null },
    trx: Knex = this.db,
  ): Promise<void> {
    const now = this.iso();
    const waiting = await trx('qbo_outbox')
      .where({ record_type: item.recordType, record_id: item.recordId, status: 'pending' })
      .andWhere((q) => (item.realmId ? q.where('realm_id', item.realmId) : q.whereNull('realm_id')))
      .whereNull('claimed_by')
      .first('id');
    if (waiting) {
      await trx('qbo_outbox')
        .where({ id: waiting.id })
        .update({ updated_at: now, next_attempt_at: now, ...(item.runId ? { run_id: item.runId } : {}) });
      return;
    }
    await trx('qbo_outbox').insert({
      realm_id: item.realmId,
      record_type: item.recordType,
      record_id: item.recordId,
      status: 'pending',
      priority: PRIORITY[item.recordType],
      attempts: 0,
      next_attempt_at: now,
      run_id: item.runId ?? null,
      // Its own requestids: a later push of the same record is a new request, not a replay of this one.
      request_key: newRequestKey(),
      created_at: now,
      updated_at: now,
    });
  }

  /** Queues many records at once (a full push); returns how many items were added or refreshed. */
  async enqueueMany(
    realmId: string,
    records: { recordType: RecordType; recordId: number }[],
    runId: number,
  ): Promise<number> {
    let n = 0;
    for (let i = 0; i < records.length; i += 200) {
      await this.db.transaction(async (trx) => {
        for (const r of records.slice(i, i + 200)) {
          await this.enqueue({ realmId, ...r, runId }, trx);
          n++;
        }
      });
    }
    return n;
  }

  /** Gives changes made while no company was ever connected to the company now connected. */
  async adoptUnassigned(realmId: string): Promise<number> {
    return Number(
      await this.db('qbo_outbox')
        .whereNull('realm_id')
        .where({ status: 'pending' })
        .update({ realm_id: realmId }),
    );
  }

  /**
   * Claims up to `limit` due items of the company for `leaseMs`. Customers go first: while customer items
   * of the company still wait or are being pushed, no document is handed out (`blocked`), because a
   * document needs its customer's QuickBooks id.
   */
  async claim(
    realmId: string,
    workerOwner: string,
    limit: number,
    leaseMs: number,
  ): Promise<{ items: OutboxItem[]; blocked: boolean; token: string }> {
    const now = this.iso();
    // A token per claim, not per worker: two lanes of one worker must never both win an item.
    const owner = `${workerOwner}:${randomUUID().slice(0, 8)}`;
    const free = (q: Knex.QueryBuilder, priority: number) =>
      q
        .where({ realm_id: realmId, status: 'pending', priority })
        .where('next_attempt_at', '<=', now)
        .andWhere((w) => w.whereNull('claimed_until').orWhere('claimed_until', '<', now));
    for (const priority of [0, 1]) {
      if (priority === 1) {
        const busy = await this.db('qbo_outbox')
          .where({ realm_id: realmId, status: 'pending', priority: 0 })
          .where('next_attempt_at', '<=', now)
          .first('id');
        if (busy) return { items: [], blocked: true, token: owner };
      }
      const candidates = await free(this.db('qbo_outbox'), priority).orderBy('id').limit(limit).pluck('id');
      if (!candidates.length) continue;
      await free(this.db('qbo_outbox'), priority)
        .whereIn('id', candidates)
        .update({ claimed_by: owner, claimed_until: this.iso(leaseMs) });
      const rows = await this.db('qbo_outbox')
        .whereIn('id', candidates)
        .where({ claimed_by: owner, status: 'pending' })
        .orderBy('id');
      if (rows.length) return { items: rows.map(toItem), blocked: false, token: owner };
      // Another worker won these: look again.
      return { items: [], blocked: true, token: owner };
    }
    return { items: [], blocked: false, token: owner };
  }

  async complete(ids: number[], owner: string, trx: Knex = this.db): Promise<void> {
    if (!ids.length) return;
    await trx('qbo_outbox')
      .whereIn('id', ids)
      .where({ claimed_by: owner })
      .update({ status: 'done', claimed_by: null, claimed_until: null, updated_at: this.iso() });
  }

  /** A failure to retry later (throttled, Intuit down): back off, keep the item. */
  async retryLater(
    ids: number[],
    owner: string,
    delayMs: number,
    error: { code: string; message: string },
  ): Promise<void> {
    if (!ids.length) return;
    await this.db('qbo_outbox')
      .whereIn('id', ids)
      .where({ claimed_by: owner })
      .update({ ...this.failedAttempt(error), next_attempt_at: this.iso(delayMs) });
  }

  /**
   * A failure that a retry cannot fix (QuickBooks refused the data): kept, visible, not retried. A new
   * request key: Intuit stores a refusal under its requestid, so a retry must be a new request.
   */
  async fail(id: number, owner: string, error: { code: string; message: string }): Promise<void> {
    await this.db('qbo_outbox')
      .where({ id, claimed_by: owner })
      .update({ ...this.failedAttempt(error), status: 'failed', request_key: newRequestKey() });
  }

  /** A conflict (decision 009): kept, not retried, until an admin resolves it. */
  async conflict(ids: number[], owner: string, error: { code: string; message: string }): Promise<void> {
    if (!ids.length) return;
    await this.db('qbo_outbox')
      .whereIn('id', ids)
      .where({ claimed_by: owner })
      .update({ ...this.failedAttempt(error), status: 'conflict', request_key: newRequestKey() });
  }

  /** Back to the queue now, without counting a failed attempt (e.g. linked by its marker: update next). */
  async requeue(ids: number[], owner: string): Promise<void> {
    if (!ids.length) return;
    await this.db('qbo_outbox')
      .whereIn('id', ids)
      .where({ claimed_by: owner })
      .update({ claimed_by: null, claimed_until: null, next_attempt_at: this.iso(), updated_at: this.iso() });
  }

  /**
   * An admin's retry of one record (or of every failed record of the company): failed and conflict
   * items go back to the queue as new requests. Returns how many items were put back.
   */
  async retry(
    where: { realmId: string; recordType?: RecordType; recordId?: number; statuses?: string[] },
    options: { noDocNumber?: boolean } = {},
  ): Promise<number> {
    const q = this.db('qbo_outbox')
      .where({ realm_id: where.realmId })
      .whereIn('status', where.statuses ?? ['failed', 'conflict']);
    if (where.recordType) q.where({ record_type: where.recordType });
    if (where.recordId !== undefined) q.where({ record_id: where.recordId });
    if (where.recordType && where.recordId !== undefined) {
      // A change made meanwhile waits already: that one item carries the retry (two would be two creates).
      const waiting = await this.db('qbo_outbox')
        .where({ realm_id: where.realmId, record_type: where.recordType, record_id: where.recordId })
        .where({ status: 'pending' })
        .first('id');
      if (waiting) {
        await q
          .clone()
          .update({ status: 'cancelled', claimed_by: null, claimed_until: null, updated_at: this.iso() });
        q.clearWhere().where({ id: waiting.id });
      }
    }
    return Number(
      await q.update({
        status: 'pending',
        claimed_by: null,
        claimed_until: null,
        next_attempt_at: this.iso(),
        request_key: newRequestKey(),
        updated_at: this.iso(),
        ...(options.noDocNumber ? { no_doc_number: true } : {}),
      }),
    );
  }

  /** An admin settled the record another way (linked it, kept QuickBooks' values): nothing to send. */
  async settleRecord(realmId: string, recordType: RecordType, recordId: number): Promise<void> {
    await this.db('qbo_outbox')
      .where({ realm_id: realmId, record_type: recordType, record_id: recordId })
      .whereIn('status', ['failed', 'conflict'])
      .update({ status: 'done', claimed_by: null, claimed_until: null, updated_at: this.iso() });
  }

  /** An attempt that failed: counted, the claim given back, the error kept for the pages. */
  private failedAttempt(error: { code: string; message: string }) {
    return {
      attempts: this.db.raw('attempts + 1'),
      claimed_by: null,
      claimed_until: null,
      last_error_code: error.code,
      last_error: error.message.slice(0, 500),
      updated_at: this.iso(),
    };
  }

  /**
   * Gives back what this worker holds for the company (disconnect, shutdown): it stays pending. `owner`
   * is a claim token or the worker's owner id, which prefixes all its claim tokens.
   */
  async release(realmId: string | null, owner: string): Promise<void> {
    const q = this.db('qbo_outbox').where('claimed_by', 'like', `${owner}%`).where({ status: 'pending' });
    if (realmId) q.where({ realm_id: realmId });
    await q.update({ claimed_by: null, claimed_until: null });
  }

  /** After a switch: work queued for an earlier company is never sent anywhere. */
  async archiveRealms(realmIds: string[]): Promise<void> {
    if (!realmIds.length) return;
    await this.db('qbo_outbox')
      .whereIn('realm_id', realmIds)
      .whereIn('status', ['pending', 'failed', 'conflict'])
      .update({ status: 'archived', claimed_by: null, claimed_until: null, updated_at: this.iso() });
  }

  async pendingFor(
    recordType: RecordType,
    recordId: number,
  ): Promise<
    | { status: string; lastError: string | null; lastErrorCode: string | null; nextAttemptAt: string }
    | undefined
  > {
    const row = await this.db('qbo_outbox')
      .where({ record_type: recordType, record_id: recordId })
      .whereIn('status', ['pending', 'failed', 'conflict'])
      .orderBy('id', 'desc')
      .first('status', 'last_error', 'last_error_code', 'next_attempt_at');
    return row
      ? {
          status: row.status,
          lastError: row.last_error,
          lastErrorCode: row.last_error_code ?? null,
          nextAttemptAt: row.next_attempt_at,
        }
      : undefined;
  }

  async counts(realmId: string): Promise<{ pending: number; failed: number; conflict: number }> {
    const n = await this.countByStatus(
      this.db('qbo_outbox').where({ realm_id: realmId }).whereIn('status', ['pending', 'failed', 'conflict']),
    );
    return { pending: n.get('pending') ?? 0, failed: n.get('failed') ?? 0, conflict: n.get('conflict') ?? 0 };
  }

  /**
   * Why the company's waiting work is held back, if it is: the earliest retry among items put back after
   * a failure a retry can fix (429, outage, a customer still missing). Read from the queue itself, so
   * every instance tells the same story and the time is the one the workers will act on.
   */
  async delay(realmId: string): Promise<{ code: string; message: string; nextTryAt: string } | undefined> {
    const row = await this.db('qbo_outbox')
      .where({ realm_id: realmId, status: 'pending' })
      .whereNotNull('last_error_code')
      .where('next_attempt_at', '>', this.iso())
      .orderBy('next_attempt_at')
      .first('last_error_code', 'last_error', 'next_attempt_at');
    if (!row) return undefined;
    return { code: row.last_error_code, message: row.last_error ?? '', nextTryAt: row.next_attempt_at };
  }

  /**
   * The push under way when no full push runs (record edits, retries): every item queued since the
   * oldest one still waiting. Its progress bar fills as they are sent; nothing waits, nothing to show.
   */
  async waveCounts(realmId: string): Promise<{ total: number; done: number; failed: number } | undefined> {
    const oldest = await this.db('qbo_outbox')
      .where({ realm_id: realmId, status: 'pending' })
      .orderBy('created_at')
      .first('created_at');
    if (!oldest) return undefined;
    const n = await this.countByStatus(
      this.db('qbo_outbox')
        .where({ realm_id: realmId })
        .where('created_at', '>=', oldest.created_at)
        .whereIn('status', ['pending', 'done', 'failed', 'conflict']),
    );
    const total = [...n.values()].reduce((sum, count) => sum + count, 0);
    return { total, done: n.get('done') ?? 0, failed: (n.get('failed') ?? 0) + (n.get('conflict') ?? 0) };
  }

  async runCounts(runId: number): Promise<{ total: number; done: number; failed: number }> {
    const n = await this.countByStatus(this.db('qbo_outbox').where({ run_id: runId }));
    const total = [...n.values()].reduce((sum, count) => sum + count, 0);
    return { total, done: n.get('done') ?? 0, failed: n.get('failed') ?? 0 };
  }

  private async countByStatus(items: Knex.QueryBuilder): Promise<Map<string, number>> {
    const rows = await items
      .groupBy('status')
      .select('status')
      .count<{ status: string; n: string | number }[]>({ n: '*' });
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  }
}
