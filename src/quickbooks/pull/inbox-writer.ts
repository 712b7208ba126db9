/**
 * The webhook inbox's writer: group commit. Deliveries that arrive while a commit is being written (or
 * within the same turn of the event loop) are stored together in the next transaction, and each caller's
 * promise settles only when that transaction has committed. A commit per delivery was most of the
 * receiver's cost under load; one per group keeps the guarantee (nothing is acknowledged before it is
 * durable) at a fraction of the cost. A delivery's events are always in one transaction, so each delivery
 * is stored whole or not at all; if a group's transaction fails, its deliveries are retried one by one, so
 * one bad delivery cannot fail the others.
 */
import type { Knex } from 'knex';
import { dialectOf, type SqliteConnection, withSqliteConnection } from '../../db/index.js';
import type { InboundEvent } from './events.js';

/**
 * A Merge carries two ids; the inbox keeps them in entity_id as `kept<merged` (QuickBooks ids are short
 * numbers, so both fit the column) rather than widening the table for one rare operation.
 */
export const MERGE_SEPARATOR = '<';

function entityIdColumn(e: InboundEvent): string {
  const both = e.deletedId ? `${e.entityId}${MERGE_SEPARATOR}${e.deletedId}` : e.entityId;
  return both.length <= 32 ? both : e.entityId;
}

interface PendingInsert {
  events: InboundEvent[];
  now: string;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * An event equal to one already stored (same key) is a redelivery, or a second change that looks the same:
 * classic events carry no id and `lastUpdated` has whole seconds, so two changes to one customer within a
 * second share a key. Nothing tells them apart, so the rule is: an equal event that arrives once the first
 * was processed (or while it is being processed) has the row processed again — the entity is read afresh,
 * and a redelivery costs one read that the worker's coalescing mostly absorbs. One still waiting unclaimed
 * is left alone: its read is still to come and will see the latest change.
 */
const REARM_WHERE = "webhook_inbox.status <> 'pending' OR webhook_inbox.claimed_by IS NOT NULL";

const INSERT_SQLITE = `INSERT INTO webhook_inbox
  (event_key, realm_id, entity, entity_id, operation, occurred_at, received_at, format, status, attempts, next_attempt_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)
  ON CONFLICT (event_key) DO UPDATE SET status = 'pending', attempts = 0, claimed_by = NULL,
    claimed_until = NULL, processed_at = NULL, received_at = excluded.received_at,
    next_attempt_at = excluded.next_attempt_at
  WHERE ${REARM_WHERE}`;

/** A row of INSERT_POSTGRES's JSON parameter (short names: it is serialised for every event). */
interface PostgresRow {
  k: string;
  r: string;
  e: string;
  i: string;
  o: string;
  oc: string | null;
  rc: string;
  f: string;
}

const INSERT_POSTGRES = `INSERT INTO webhook_inbox
  (event_key, realm_id, entity, entity_id, operation, occurred_at, received_at, format, next_attempt_at,
   status, attempts)
  SELECT k, r, e, i, o, oc, rc, f, rc, 'pending', 0
    FROM json_to_recordset(?::json) AS t(k text, r text, e text, i text, o text, oc text, rc text, f text)
  ON CONFLICT (event_key) DO UPDATE SET status = 'pending', attempts = 0, claimed_by = NULL,
    claimed_until = NULL, processed_at = NULL, received_at = excluded.received_at,
    next_attempt_at = excluded.next_attempt_at
  WHERE ${REARM_WHERE}`;

export class InboxWriter {
  /** Per better-sqlite3 connection (the pool may replace it): the prepared insert of a group. */
  private readonly statements = new WeakMap<SqliteConnection, (group: PendingInsert[]) => void>();

  private queue: PendingInsert[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(private readonly db: Knex) {}

  /** Resolves once the events are committed, with whatever other deliveries share their transaction. */
  insert(events: InboundEvent[], now: string): Promise<void> {
    if (!events.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ events, now, resolve, reject });
      if (!this.flushing && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    try {
      while (this.queue.length) {
        const group = this.queue;
        this.queue = [];
        try {
          await this.store(group);
          for (const p of group) p.resolve();
        } catch (err) {
          if (group.length === 1) group[0].reject(err);
          else
            for (const p of group) {
              await this.store([p]).then(p.resolve, p.reject);
            }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** One transaction for all the deliveries given. */
  private store(group: PendingInsert[]): Promise<void> {
    return dialectOf(this.db) === 'sqlite' ? this.storeSqlite(group) : this.storePostgres(group);
  }

  /** better-sqlite3: one prepared statement run per event inside one (synchronous) transaction. */
  private async storeSqlite(group: PendingInsert[]): Promise<void> {
    await withSqliteConnection(this.db, (conn) => {
      let prepared = this.statements.get(conn);
      if (!prepared) {
        const insert = conn.prepare(INSERT_SQLITE);
        prepared = conn.transaction((deliveries: PendingInsert[]) => {
          for (const { events, now } of deliveries)
            for (const e of events)
              insert.run(
                e.key,
                e.realmId,
                e.entity,
                entityIdColumn(e),
                e.operation,
                e.occurredAt,
                now,
                e.format,
                now,
              );
        });
        this.statements.set(conn, prepared);
      }
      prepared(group);
    });
  }

  private async storePostgres(group: PendingInsert[]): Promise<void> {
    // PostgreSQL: the whole group in one INSERT … SELECT FROM json_to_recordset(one JSON parameter) — the
    // same statement text whatever the number of rows, so nothing is built per row but a small object
    // (knex's builder took 2–5 µs of CPU per row for a multi-row VALUES, and 200 rows a statement). One
    // statement must not touch the same key twice (PostgreSQL refuses it), so repeats within the group are
    // left out here; the unique index ignores those already stored (or re-arms them, REARM_WHERE).
    const rows = new Map<string, PostgresRow>();
    for (const { events, now } of group)
      for (const e of events)
        if (!rows.has(e.key))
          rows.set(e.key, {
            k: e.key,
            r: e.realmId,
            e: e.entity,
            i: entityIdColumn(e),
            o: e.operation,
            oc: e.occurredAt,
            rc: now,
            f: e.format,
          });
    const json = JSON.stringify([...rows.values()]);
    await this.db.transaction((trx) => trx.raw(INSERT_POSTGRES, [json]));
  }
}
