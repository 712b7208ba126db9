/**
 * Read-only figures for the operator's status page and /metrics: counts over the push queue, the webhook
 * inbox, the CDC runs and the database itself. Nothing here writes; every query is an aggregate or a single
 * row, so the page stays cheap on a large database (the tables' status indexes serve the counts).
 */
import type { Knex } from 'knex';
import { dialectOf, earliestIso } from '../db/index.js';
import { stagedEvents } from '../quickbooks/pull/inbox-repository.js';

export interface PushQueueFigures {
  /** Items waiting to be pushed (status pending, any company). */
  waiting: number;
  /** When the oldest waiting item was queued (ISO), or null when nothing waits. */
  oldestWaitingSince: string | null;
  /** Items QuickBooks refused: kept, not retried until an admin retries them. */
  failed: number;
  /** Records in an open conflict (decision 009): held until an admin resolves them. */
  conflicts: number;
}

export interface InboxFigures {
  /** Webhook events stored and not yet worked off. */
  waiting: number;
  oldestWaitingSince: string | null;
  /** Events given up on after the last attempt (parked) or failed for good. */
  parked: number;
}

export interface CdcRunFigures {
  realmId: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** running | finished | stopped (stopped: it ended with an error). */
  status: string;
  /** The run's sync events by result (ok, skipped, failed, retry). */
  results: Record<string, number>;
}

export interface WatermarkFigures {
  realmId: string;
  changedSince: string;
  lastRunAt: string | null;
}

export interface DatabaseFigures {
  engine: 'sqlite' | 'postgres';
  sizeBytes: number;
}

const count = (row: { n?: string | number } | undefined) => Number(row?.n ?? 0);

export class StatusRepository {
  constructor(private readonly db: Knex) {}

  async pushQueue(): Promise<PushQueueFigures> {
    const waiting = await this.db('qbo_outbox')
      .where({ status: 'pending' })
      .first<{ n: number | string; oldest: string | null }>(
        this.db.raw('count(*) as n'),
        this.db.raw('min(created_at) as oldest'),
      );
    const failed = await this.db('qbo_outbox').where({ status: 'failed' }).count({ n: '*' }).first();
    const conflicts = await this.db('qbo_conflicts').where({ state: 'open' }).count({ n: '*' }).first();
    return {
      waiting: count(waiting),
      oldestWaitingSince: waiting?.oldest ?? null,
      failed: count(failed),
      conflicts: count(conflicts),
    };
  }

  async inbox(): Promise<InboxFigures> {
    const waiting = await this.db('webhook_inbox')
      .where({ status: 'pending' })
      .first<{ n: number | string; oldest: string | null }>(
        this.db.raw('count(*) as n'),
        this.db.raw('min(received_at) as oldest'),
      );
    const parked = await this.db('webhook_inbox')
      .whereIn('status', ['parked', 'failed'])
      .count({ n: '*' })
      .first();
    // Deliveries staged and not yet unpacked wait too (decision 016).
    const staged = await stagedEvents(this.db);
    return {
      waiting: count(waiting) + staged.events,
      oldestWaitingSince: earliestIso(waiting?.oldest, staged.oldest),
      parked: count(parked),
    };
  }

  /** Webhook events stored since `sinceIso` (every instance's: they share the inbox). */
  async eventsReceivedSince(sinceIso: string): Promise<number> {
    const unpacked = count(
      await this.db('webhook_inbox').where('received_at', '>=', sinceIso).count({ n: '*' }).first(),
    );
    return unpacked + (await stagedEvents(this.db, { sinceIso })).events;
  }

  /** A webhook_stats counter (e.g. events dropped for a company that is not connected) and when it last moved. */
  async webhookStat(name: string): Promise<{ value: number; updatedAt: string | null }> {
    const row = await this.db('webhook_stats').where({ name }).first('value', 'updated_at');
    return { value: Number(row?.value ?? 0), updatedAt: row?.updated_at ?? null };
  }

  async lastCdcRun(): Promise<CdcRunFigures | undefined> {
    const run = await this.db('sync_runs').where({ kind: 'cdc' }).orderBy('id', 'desc').first();
    if (!run) return undefined;
    const rows = await this.db('sync_events')
      .where({ run_id: run.id })
      .groupBy('result')
      .select('result')
      .count<{ result: string; n: string | number }[]>({ n: '*' });
    const results: Record<string, number> = {};
    for (const r of rows) results[r.result] = Number(r.n);
    return {
      realmId: run.realm_id,
      startedAt: run.started_at,
      finishedAt: run.finished_at,
      status: run.status,
      results,
    };
  }

  async watermark(realmId: string): Promise<WatermarkFigures | undefined> {
    const row = await this.db('qbo_cdc_watermarks').where({ realm_id: realmId }).first();
    return row
      ? { realmId: row.realm_id, changedSince: row.changed_since, lastRunAt: row.last_run_at }
      : undefined;
  }

  /** SQLite: the main file's pages (the WAL is not counted); PostgreSQL: pg_database_size. */
  async database(): Promise<DatabaseFigures> {
    const engine = dialectOf(this.db);
    if (engine === 'postgres') {
      const result = await this.db.raw('select pg_database_size(current_database()) as size');
      return { engine, sizeBytes: Number(result.rows[0].size) };
    }
    const [pages] = await this.db.raw('pragma page_count');
    const [size] = await this.db.raw('pragma page_size');
    return { engine, sizeBytes: Number(pages.page_count) * Number(size.page_size) };
  }
}
