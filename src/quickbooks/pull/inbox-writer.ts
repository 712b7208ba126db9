/**
 * The webhook inbox's writer, in two steps (decision 016):
 *
 * - stage: before the 200, a verified delivery is stored as it arrived, one row in webhook_deliveries
 *   (a table with no index but its key), by group commit: deliveries that arrive while a commit is being
 *   written (or within the same turn of the event loop) are stored together in the next transaction, and
 *   each caller's promise settles only when that transaction has committed. Nothing is acknowledged before
 *   it is durable; if a group's transaction fails, its deliveries are retried one by one, so one bad
 *   delivery cannot fail the others.
 * - unpack: after the 200 (the webhook worker, before it claims), staged deliveries are parsed again and
 *   their events upserted into webhook_inbox, one row each with its dedupe key, and the deliveries deleted —
 *   in one transaction, so a crash leaves them staged, to be unpacked again, never half moved.
 *
 * The events of ten deliveries used to be ten rows in a table with three indexes, written before the 200:
 * most of the receiver's cost. The same rows are now written after it, many deliveries in one transaction.
 */
import type { Knex } from 'knex';
import { dialectOf, type SqliteConnection, withSqliteConnection } from '../../db/index.js';
import { type InboundEvent, parseDelivery } from './events.js';

/**
 * A Merge carries two ids; the inbox keeps them in entity_id as `kept<merged` (QuickBooks ids are short
 * numbers, so both fit the column) rather than widening the table for one rare operation.
 */
export const MERGE_SEPARATOR = '<';

function entityIdColumn(e: InboundEvent): string {
  const both = e.deletedId ? `${e.entityId}${MERGE_SEPARATOR}${e.deletedId}` : e.entityId;
  return both.length <= 32 ? both : e.entityId;
}

/** A verified delivery to stage: Intuit's JSON as signed, and the connected company its kept events belong to. */
export interface Delivery {
  realmId: string;
  body: string;
  /** How many of its events belong to `realmId` (the others were counted as dropped). */
  eventCount: number;
}

interface PendingStage {
  delivery: Delivery;
  now: string;
  resolve(): void;
  reject(err: unknown): void;
}

/** Events to upsert, with when their delivery arrived. */
interface EventsAt {
  events: InboundEvent[];
  now: string;
  /** The staged body no longer parses (it did when it was accepted): it cannot be unpacked. */
  unreadable?: boolean;
}

/** What an unpack did: deliveries moved into the inbox, and those that could not be read (deleted). */
export interface Unpacked {
  deliveries: number;
  unreadable: number;
}

/** A webhook_deliveries row as the drivers return it. */
interface DeliveryRow {
  id: number | string;
  realm_id: string;
  received_at: string;
  body: string;
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

const STAGE_SQLITE = `INSERT INTO webhook_deliveries (realm_id, received_at, event_count, body)
  VALUES (?, ?, ?, ?)`;

const STAGE_POSTGRES = 'INSERT INTO webhook_deliveries (realm_id, received_at, event_count, body) VALUES ';
/** Four parameters a row: far below PostgreSQL's 65,535 a statement. */
const STAGE_ROWS_PER_STATEMENT = 1000;

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
  /** Per better-sqlite3 connection (the pool may replace it): the prepared statements. */
  private readonly statements = new WeakMap<SqliteConnection, SqliteStatements>();

  private queue: PendingStage[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(private readonly db: Knex) {}

  /** Resolves once the delivery is committed, with whatever other deliveries share its transaction. */
  stage(delivery: Delivery, now: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ delivery, now, resolve, reject });
      if (!this.flushing && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Upserts events straight into webhook_inbox, in one transaction (unpack's step, and tests'). */
  async insert(events: InboundEvent[], now: string): Promise<void> {
    if (!events.length) return;
    if (dialectOf(this.db) === 'sqlite')
      await withSqliteConnection(this.db, (conn) => this.sqlite(conn).insertEvents([{ events, now }]));
    // One statement: atomic without a transaction around it.
    else await insertEventsPostgres(this.db, [{ events, now }]);
  }

  /**
   * Moves up to `limit` staged deliveries (oldest first) into webhook_inbox and deletes them, in one
   * transaction. Returns how many deliveries were moved. Several instances may unpack at once: SQLite takes
   * the write lock first (BEGIN IMMEDIATE), PostgreSQL skips rows another transaction holds.
   */
  async unpack(limit: number): Promise<Unpacked> {
    if (dialectOf(this.db) === 'sqlite')
      return withSqliteConnection(this.db, (conn) => this.sqlite(conn).unpack(limit));
    // Every worker pass asks: a plain read first, so an idle instance opens no transaction for nothing.
    if (!(await this.db('webhook_deliveries').first('id'))) return { deliveries: 0, unreadable: 0 };
    return this.db.transaction(async (trx) => {
      const rows: DeliveryRow[] = await trx('webhook_deliveries')
        .select('id', 'realm_id', 'received_at', 'body')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked();
      const batches = rows.map(eventsOf);
      if (rows.length) {
        await insertEventsPostgres(trx, batches);
        await trx('webhook_deliveries')
          .whereIn(
            'id',
            rows.map((r) => Number(r.id)),
          )
          .del();
      }
      return unpacked(batches);
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
  private async store(group: PendingStage[]): Promise<void> {
    if (dialectOf(this.db) === 'sqlite') {
      await withSqliteConnection(this.db, (conn) => this.sqlite(conn).stage(group));
      return;
    }
    // PostgreSQL: a multi-row INSERT, the bodies as plain text parameters (inside one JSON parameter each
    // body was escaped again: twice the CPU on this path), and no BEGIN/COMMIT around a group that fits one
    // statement (one statement is atomic on its own). A bigger group (PostgreSQL takes at most 65,535
    // parameters) is written in several statements inside one transaction, so it is still all or nothing.
    const statements: { sql: string; params: (string | number)[] }[] = [];
    for (let i = 0; i < group.length; i += STAGE_ROWS_PER_STATEMENT) {
      const rows = group.slice(i, i + STAGE_ROWS_PER_STATEMENT);
      const params: (string | number)[] = [];
      for (const { delivery, now } of rows)
        params.push(delivery.realmId, now, delivery.eventCount, delivery.body);
      statements.push({ sql: STAGE_POSTGRES + rows.map(() => '(?, ?, ?, ?)').join(', '), params });
    }
    if (statements.length === 1) await this.db.raw(statements[0].sql, statements[0].params);
    else
      await this.db.transaction(async (trx) => {
        for (const { sql, params } of statements) await trx.raw(sql, params);
      });
  }

  private sqlite(conn: SqliteConnection): SqliteStatements {
    let prepared = this.statements.get(conn);
    if (!prepared) {
      prepared = sqliteStatements(conn);
      this.statements.set(conn, prepared);
    }
    return prepared;
  }
}

interface SqliteStatements {
  stage(group: PendingStage[]): void;
  insertEvents(batches: EventsAt[]): void;
  unpack(limit: number): Unpacked;
}

/** better-sqlite3: prepared statements run inside (synchronous) transactions. */
function sqliteStatements(conn: SqliteConnection): SqliteStatements {
  const stageOne = conn.prepare(STAGE_SQLITE);
  const insertOne = conn.prepare(INSERT_SQLITE);
  const oldest = conn.prepare(
    'SELECT id, realm_id, received_at, body FROM webhook_deliveries ORDER BY id LIMIT ?',
  );
  const deleteUpTo = conn.prepare('DELETE FROM webhook_deliveries WHERE id <= ?');
  const anyStaged = conn.prepare('SELECT 1 FROM webhook_deliveries LIMIT 1');
  const writeEvents = (batches: EventsAt[]) => {
    for (const { events, now } of batches)
      for (const e of events)
        insertOne.run(
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
  };
  const stage = conn.transaction((group: PendingStage[]) => {
    for (const { delivery, now } of group)
      stageOne.run(delivery.realmId, now, delivery.eventCount, delivery.body);
  });
  const insertEvents = conn.transaction(writeEvents);
  const unpack = conn.transaction((limit: number, done: { batches: EventsAt[] }) => {
    const rows = oldest.all(limit) as DeliveryRow[];
    if (!rows.length) return;
    done.batches = rows.map(eventsOf);
    writeEvents(done.batches);
    // The rows read are the oldest ids, and the write lock is held: nothing older can appear meanwhile.
    deleteUpTo.run(Number(rows[rows.length - 1].id));
  });
  return {
    stage,
    insertEvents,
    unpack(limit) {
      const done = { batches: [] as EventsAt[] };
      // Every worker pass asks: a plain read first, so an idle instance takes no write lock for nothing.
      if (!anyStaged.all().length) return unpacked(done.batches);
      // IMMEDIATE: the write lock before the read, so two instances never read the same deliveries.
      unpack.immediate(limit, done);
      return unpacked(done.batches);
    },
  };
}

/**
 * A staged delivery's events, as the receiver kept them: parsed with the same code that accepted it, and
 * only those of the company it was staged for.
 */
function eventsOf(row: DeliveryRow): EventsAt {
  try {
    const events = parseDelivery(JSON.parse(row.body)).filter((e) => e.realmId === row.realm_id);
    return { events, now: row.received_at };
  } catch {
    // Only if the parser changed meanwhile (an upgrade between the 200 and the unpack): kept staged, it
    // would stop every delivery behind it, so it is deleted and reported (the daily CDC sweep still
    // brings in whatever it announced).
    return { events: [], now: row.received_at, unreadable: true };
  }
}

function unpacked(batches: EventsAt[]): Unpacked {
  return { deliveries: batches.length, unreadable: batches.filter((b) => b.unreadable).length };
}

/** PostgreSQL: every event of the batches in one INSERT … SELECT FROM json_to_recordset. */
async function insertEventsPostgres(trx: Knex, batches: EventsAt[]): Promise<void> {
  // One statement must not touch the same key twice (PostgreSQL refuses it), so repeats within the
  // statement are left out here; the unique index ignores those already stored (or re-arms them,
  // REARM_WHERE). knex's builder took 2–5 µs of CPU per row for a multi-row VALUES.
  const rows = new Map<string, PostgresRow>();
  for (const { events, now } of batches)
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
  if (rows.size) await trx.raw(INSERT_POSTGRES, [JSON.stringify([...rows.values()])]);
}
