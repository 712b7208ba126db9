import type { Knex } from 'knex';

/**
 * webhook_deliveries on SQLite: its key becomes a plain rowid (`integer primary key`) instead of
 * AUTOINCREMENT. AUTOINCREMENT updates sqlite_sequence in every transaction that inserts, one more page in
 * each commit of the acknowledgment path (measured: 60 against 39 µs for a delivery committed alone, 9.5
 * against 9.0 in groups of twenty). Nothing needs what AUTOINCREMENT adds (ids never reused once the table
 * is empty): a new row still gets the highest id plus one, so "oldest first" holds, and the unpack deletes
 * `id <= last read` while it holds the write lock (decision 016). PostgreSQL is left as it is (a sequence
 * costs nothing of the kind).
 */
const COLUMNS = ['id', 'realm_id', 'received_at', 'event_count', 'body'];

export async function up(knex: Knex): Promise<void> {
  if (!isSqlite(knex)) return;
  await rebuild(knex, (t) => t.specificType('id', 'integer primary key'));
}

export async function down(knex: Knex): Promise<void> {
  if (!isSqlite(knex)) return;
  await rebuild(knex, (t) => t.increments('id').primary());
}

function isSqlite(knex: Knex): boolean {
  return knex.client.config.client === 'better-sqlite3';
}

/** SQLite cannot change a key in place: a new table with the same columns, the rows copied, then renamed. */
async function rebuild(knex: Knex, key: (t: Knex.CreateTableBuilder) => void): Promise<void> {
  await knex.schema.createTable('webhook_deliveries_next', (t) => {
    key(t);
    t.string('realm_id', 32).notNullable();
    t.string('received_at', 32).notNullable();
    t.integer('event_count').notNullable();
    t.text('body').notNullable();
  });
  await knex('webhook_deliveries_next').insert(knex('webhook_deliveries').select(COLUMNS));
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.renameTable('webhook_deliveries_next', 'webhook_deliveries');
}
