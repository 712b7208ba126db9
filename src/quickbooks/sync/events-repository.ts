/** Sync runs and per-operation events: what the history page and its CSV show. */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';

export type Direction = 'push' | 'pull';
export type EventResult = 'ok' | 'skipped' | 'failed' | 'retry' | 'conflict';

export interface SyncEventInput {
  runId?: number | null;
  realmId: string | null;
  direction: Direction;
  entity: string;
  localId?: number | null;
  qboId?: string | null;
  operation: string;
  result: EventResult;
  errorCode?: string | null;
  errorMessage?: string | null;
  intuitTid?: string | null;
}

export interface SyncRun {
  id: number;
  realmId: string | null;
  kind: string;
  startedAt: string;
  finishedAt: string | null;
  total: number;
  done: number;
  failed: number;
  status: string;
  /**
   * Why the run waits (or, stopped, why it gave up): an error code such as `quickbooks_throttled`, and
   * when it (or the next run) tries again. Null while nothing holds it back.
   */
  delayCode: string | null;
  nextTryAt: string | null;
}

/** A qbo_sync_runs row as the driver returns it (counts may come back as strings on PostgreSQL). */
interface RunTableRow {
  id: number | string;
  realm_id: string | null;
  kind: string;
  started_at: string;
  finished_at: string | null;
  total: number | string;
  done: number | string;
  failed: number | string;
  status: string;
  delay_code?: string | null;
  next_try_at?: string | null;
}

function toRun(row: RunTableRow): SyncRun {
  return {
    id: Number(row.id),
    realmId: row.realm_id,
    kind: row.kind,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    total: Number(row.total),
    done: Number(row.done),
    failed: Number(row.failed),
    status: row.status,
    delayCode: row.delay_code ?? null,
    nextTryAt: row.next_try_at ?? null,
  };
}

export class SyncEventsRepository {
  constructor(private readonly db: Knex) {}

  async record(events: SyncEventInput | SyncEventInput[], trx: Knex = this.db): Promise<void> {
    const list = Array.isArray(events) ? events : [events];
    if (!list.length) return;
    const at = nowIso();
    const rows = list.map((e) => ({
      at,
      run_id: e.runId ?? null,
      realm_id: e.realmId,
      direction: e.direction,
      entity: e.entity,
      local_id: e.localId ?? null,
      qbo_id: e.qboId ?? null,
      operation: e.operation,
      result: e.result,
      error_code: e.errorCode ?? null,
      // Messages come from Intuit's Fault text, never from payloads; still, keep them short.
      error_message: e.errorMessage ? e.errorMessage.slice(0, 500) : null,
      intuit_tid: e.intuitTid ?? null,
    }));
    for (let i = 0; i < rows.length; i += 100) await trx('sync_events').insert(rows.slice(i, i + 100));
    // The card's "Last successful sync": any record found in step, pushed or pulled, moves it.
    const inStep = new Set(
      list.filter((e) => e.realmId && (e.result === 'ok' || e.result === 'skipped')).map((e) => e.realmId!),
    );
    if (inStep.size)
      await trx('qbo_connections')
        .whereIn('realm_id', [...inStep])
        .update({ last_sync_at: at, updated_at: at });
  }

  async startRun(input: {
    realmId: string | null;
    kind: string;
    total?: number;
    userId?: number | null;
  }): Promise<SyncRun> {
    const [row] = await this.db('sync_runs')
      .insert({
        realm_id: input.realmId,
        kind: input.kind,
        started_at: nowIso(),
        total: input.total ?? 0,
        started_by_user_id: input.userId ?? null,
        status: 'running',
      })
      .returning('*');
    return toRun(row);
  }

  async addToRun(runId: number, delta: { total?: number; done?: number; failed?: number }): Promise<void> {
    const update: Record<string, unknown> = {};
    for (const key of ['total', 'done', 'failed'] as const) {
      if (delta[key]) update[key] = this.db.raw(`${key} + ?`, [delta[key]]);
    }
    if (Object.keys(update).length) await this.db('sync_runs').where({ id: runId }).update(update);
  }

  /**
   * A running run waits (`delay`: why, and when it tries again) or goes on (`null` clears it). Every
   * instance reads it from here, so the card shows the wait wherever it is opened.
   */
  async delayRun(runId: number, delay: { code: string; nextTryAt: string } | null): Promise<void> {
    await this.db('sync_runs')
      .where({ id: runId, status: 'running' })
      .update({ delay_code: delay?.code ?? null, next_try_at: delay?.nextTryAt ?? null });
  }

  /** Ends a run; a stopped one may say why and when the work is tried again (`delay`). */
  async finishRun(
    runId: number,
    status: 'finished' | 'stopped' = 'finished',
    delay: { code: string; nextTryAt: string | null } | null = null,
  ): Promise<void> {
    await this.db('sync_runs')
      .where({ id: runId, status: 'running' })
      .update({
        status,
        finished_at: nowIso(),
        delay_code: delay?.code ?? null,
        next_try_at: delay?.nextTryAt ?? null,
      });
  }

  async latestRun(realmId: string, kind?: string): Promise<SyncRun | undefined> {
    const q = this.db('sync_runs').where({ realm_id: realmId }).orderBy('id', 'desc');
    if (kind) q.where({ kind });
    const row = await q.first();
    return row ? toRun(row) : undefined;
  }

  async stopRuns(realmId: string): Promise<void> {
    await this.db('sync_runs')
      .where({ realm_id: realmId, status: 'running' })
      .update({ status: 'stopped', finished_at: nowIso() });
  }
}
