/**
 * webhook_inbox: every event stored before the 200 goes back, worked off by claim → process → done/retry.
 * Claims are leases (claimed_by/claimed_until), taken with a conditional UPDATE that works the same on SQLite
 * and PostgreSQL: two workers (in one process or several) never hold the same row, and a dead worker's rows
 * come back once its lease runs out.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { earliestIso, nowIso } from '../../db/index.js';
import type { InboundEvent, WebhookFormat } from './events.js';
import { type Delivery, InboxWriter, MERGE_SEPARATOR, type Unpacked } from './inbox-writer.js';

/** Staged deliveries moved into the inbox by one unpack (one transaction; ~10 events each). */
export const UNPACK_BATCH = 200;

export type InboxStatus = 'pending' | 'done' | 'failed' | 'parked' | 'dropped';

export interface InboxRow {
  id: number;
  eventKey: string;
  realmId: string;
  entity: string;
  entityId: string;
  deletedId?: string;
  operation: string;
  occurredAt: string | null;
  receivedAt: string;
  format: WebhookFormat;
  status: InboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastErrorCode: string | null;
  lastError: string | null;
  processedAt: string | null;
  /** The claim this row was handed out under (finish, retry and release only count under it). */
  claimedBy: string | null;
}

/** A qbo_webhook_inbox row as the driver returns it. */
interface InboxTableRow {
  id: number | string;
  event_key: string;
  realm_id: string;
  entity: string;
  entity_id: string;
  operation: string;
  occurred_at: string | null;
  received_at: string;
  format: WebhookFormat;
  status: InboxStatus;
  attempts: number | string;
  next_attempt_at: string;
  last_error_code: string | null;
  last_error: string | null;
  processed_at: string | null;
  claimed_by: string | null;
}

function toRow(row: InboxTableRow): InboxRow {
  const [entityId, deletedId] = String(row.entity_id).split(MERGE_SEPARATOR);
  return {
    id: Number(row.id),
    eventKey: row.event_key,
    realmId: row.realm_id,
    entity: row.entity,
    entityId,
    ...(deletedId ? { deletedId } : {}),
    operation: row.operation,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    format: row.format,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastErrorCode: row.last_error_code,
    lastError: row.last_error,
    processedAt: row.processed_at,
    claimedBy: row.claimed_by ?? null,
  };
}

export interface StagedEvents {
  events: number;
  oldest: string | null;
}

/**
 * What waits in deliveries staged and not yet unpacked (decision 016): how many events (of one company, or
 * received since a time, if asked) and when the oldest arrived. Counted as waiting wherever inbox events are.
 */
export async function stagedEvents(
  db: Knex,
  filter: { realmId?: string; sinceIso?: string } = {},
): Promise<StagedEvents> {
  const q = db('webhook_deliveries');
  if (filter.realmId) q.where({ realm_id: filter.realmId });
  if (filter.sinceIso) q.where('received_at', '>=', filter.sinceIso);
  const row = await q.first<{ n: number | string | null; oldest: string | null }>(
    db.raw('sum(event_count) as n'),
    db.raw('min(received_at) as oldest'),
  );
  return { events: Number(row?.n ?? 0), oldest: row?.oldest ?? null };
}

/**
 * Finish, retry and release hold only while the row is still under the claim that handed it out: an equal
 * event stored meanwhile (inbox-writer.ts) took the claim away to have the row processed again, and that
 * must not be undone by the pass that read the entity before the second change.
 */
function underClaim(q: Knex.QueryBuilder, row: { id: number; claimedBy?: string | null }) {
  q.where({ id: row.id });
  if (row.claimedBy) q.where({ claimed_by: row.claimedBy });
  return q;
}

export class InboxRepository {
  private claims = 0;
  private readonly writer: InboxWriter;

  constructor(private readonly db: Knex) {
    this.writer = new InboxWriter(db);
  }

  /**
   * Stages a verified delivery (the receiver, before its 200); resolves once it is committed, grouped with
   * other deliveries (`inbox-writer.ts`). Its events reach the inbox at the next `unpack`.
   */
  stage(delivery: Delivery, now = nowIso()): Promise<void> {
    return this.writer.stage(delivery, now);
  }

  /**
   * Moves staged deliveries' events into the inbox (oldest first, up to `limit` deliveries) and deletes the
   * deliveries, in one transaction. An event equal to one stored (same key) is stored once; if the first was
   * already processed (or is being processed), the row is processed again (REARM_WHERE in inbox-writer.ts).
   */
  unpack(limit = UNPACK_BATCH): Promise<Unpacked> {
    return this.writer.unpack(limit);
  }

  /** Stores events straight into the inbox, as `unpack` does (tests, and events not from a delivery). */
  insert(events: InboundEvent[], now = nowIso()): Promise<void> {
    return this.writer.insert(events, now);
  }

  /** Deliveries staged and not yet unpacked: how many events they carry, and the oldest one's time. */
  staged(realmId?: string): Promise<StagedEvents> {
    return stagedEvents(this.db, { realmId });
  }

  /** Counters (webhook_stats), e.g. events dropped because their company is not connected. */
  async count(name: string, by: number): Promise<void> {
    if (by <= 0) return;
    const now = nowIso();
    await this.db('webhook_stats')
      .insert({ name, value: by, updated_at: now })
      .onConflict('name')
      .merge({ value: this.db.raw('webhook_stats.value + ?', [by]), updated_at: now });
  }

  async stat(name: string): Promise<number> {
    const row = await this.db('webhook_stats').where({ name }).first();
    return Number(row?.value ?? 0);
  }

  /**
   * Claims up to `limit` due rows for `leaseMs`. Each claim has its own token, so the rows read back are
   * exactly the ones this UPDATE won (a concurrent claimer's WHERE no longer matches them).
   */
  async claim(
    owner: string,
    options: { limit: number; leaseMs: number; skipRealms?: Iterable<string> },
    now = Date.now(),
  ): Promise<InboxRow[]> {
    const nowText = new Date(now).toISOString();
    const skip = [...(options.skipRealms ?? [])];
    const due = (q: Knex.QueryBuilder) =>
      q
        .where('status', 'pending')
        .andWhere('next_attempt_at', '<=', nowText)
        .andWhere((w) => w.whereNull('claimed_until').orWhere('claimed_until', '<', nowText))
        .modify((m) => {
          if (skip.length) m.whereNotIn('realm_id', skip);
        });
    const ids = (await due(this.db('webhook_inbox').select('id')).orderBy('id').limit(options.limit)).map(
      (r: { id: number }) => Number(r.id),
    );
    if (!ids.length) return [];
    const token = `${owner.slice(0, 40)}:${++this.claims}:${randomUUID().slice(0, 8)}`;
    await due(this.db('webhook_inbox').whereIn('id', ids)).update({
      claimed_by: token,
      claimed_until: new Date(now + options.leaseMs).toISOString(),
    });
    const rows = await this.db('webhook_inbox').where({ claimed_by: token }).orderBy('id');
    return rows.map(toRow);
  }

  async finish(
    row: { id: number; claimedBy?: string | null },
    status: Exclude<InboxStatus, 'pending'>,
    error?: { code?: string; message?: string; attempts?: number },
  ) {
    await underClaim(this.db('webhook_inbox'), row).update({
      status,
      processed_at: nowIso(),
      claimed_by: null,
      claimed_until: null,
      ...(error
        ? {
            last_error_code: error.code?.slice(0, 32) ?? null,
            last_error: error.message?.slice(0, 500) ?? null,
            ...(error.attempts === undefined ? {} : { attempts: error.attempts }),
          }
        : {}),
    });
  }

  /** A failed attempt: back to pending, due again at `nextAttemptAt`. */
  async retry(
    row: { id: number; claimedBy?: string | null },
    attempts: number,
    nextAttemptAt: Date,
    error: { code?: string; message?: string },
  ) {
    await underClaim(this.db('webhook_inbox'), row).update({
      attempts,
      next_attempt_at: nextAttemptAt.toISOString(),
      claimed_by: null,
      claimed_until: null,
      last_error_code: error.code?.slice(0, 32) ?? null,
      last_error: error.message?.slice(0, 500) ?? null,
    });
  }

  /** Gives rows back untouched (the company is not connected right now): no attempt is counted. */
  async release(ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.db('webhook_inbox')
      .whereIn('id', ids)
      .where('status', 'pending')
      .update({ claimed_by: null, claimed_until: null });
  }

  /** After a company switch: the earlier companies' waiting events will never be processed. */
  async dropPending(realmIds: string[]): Promise<number> {
    if (!realmIds.length) return 0;
    // Their staged deliveries first, so that no event of theirs is left to arrive after the drop. Until a
    // batch comes back short: deliveries the new company keeps sending cannot hold this loop.
    while ((await this.unpack()).deliveries === UNPACK_BATCH) {
      // the next batch
    }
    return Number(
      await this.db('webhook_inbox')
        .whereIn('realm_id', realmIds)
        .where('status', 'pending')
        .update({ status: 'dropped', processed_at: nowIso(), claimed_by: null, claimed_until: null }),
    );
  }

  /**
   * Deletes events finished (done, dropped) before `before`, a chunk at a time so that no single write
   * holds the database for long. Failed and parked events stay: they are what an admin may still look at.
   * The sync history keeps its own record of what each event did.
   */
  async prune(before: Date, chunk = 1000): Promise<number> {
    const cutoff = before.toISOString();
    let total = 0;
    for (;;) {
      const ids = this.db('webhook_inbox')
        .select('id')
        .whereIn('status', ['done', 'dropped'])
        .andWhere('processed_at', '<', cutoff)
        .orderBy('id')
        .limit(chunk);
      const deleted = Number(await this.db('webhook_inbox').whereIn('id', ids).del());
      total += deleted;
      if (deleted < chunk) return total;
    }
  }

  async list(filter: { status?: InboxStatus; realmId?: string } = {}): Promise<InboxRow[]> {
    const q = this.db('webhook_inbox').orderBy('id');
    if (filter.status) q.where('status', filter.status);
    if (filter.realmId) q.where('realm_id', filter.realmId);
    return (await q).map(toRow);
  }

  /**
   * The automatic pull under way (webhook events being applied): every event of the company received since
   * the oldest one still pending, and how many of them are finished. Undefined when nothing is pending.
   */
  async waveCounts(realmId: string): Promise<{ total: number; done: number; failed: number } | undefined> {
    const staged = await this.staged(realmId);
    const oldestPending = await this.db('webhook_inbox')
      .where({ realm_id: realmId, status: 'pending' })
      .orderBy('received_at')
      .first('received_at');
    const oldest = earliestIso(oldestPending?.received_at, staged.oldest);
    if (!oldest) return undefined;
    const rows = await this.db('webhook_inbox')
      .where({ realm_id: realmId })
      .where('received_at', '>=', oldest)
      .whereNot('status', 'dropped')
      .groupBy('status')
      .select('status')
      .count<{ status: string; n: string | number }[]>({ n: '*' });
    const n = new Map(rows.map((r) => [r.status, Number(r.n)]));
    const total = [...n.values()].reduce((sum, count) => sum + count, 0) + staged.events;
    return {
      total,
      done: (n.get('done') ?? 0) + (n.get('failed') ?? 0) + (n.get('parked') ?? 0),
      failed: n.get('failed') ?? 0,
    };
  }

  /** Events by status; staged events (not yet unpacked) count as pending. */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db('webhook_inbox')
      .select('status')
      .count<{ status: string; n: string }[]>({ n: '*' })
      .groupBy('status');
    const counts: Record<string, number> = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    const staged = (await this.staged()).events;
    if (staged) counts.pending = (counts.pending ?? 0) + staged;
    return counts;
  }
}
