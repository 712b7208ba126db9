import type { Knex } from 'knex';

/**
 * The import of what a QuickBooks company already holds (capability 19): one row per import an admin
 * started. The row is the import's durable position: the phase and the STARTPOSITION of the next page are
 * written in the same transaction as the records and links of the page before, so a process killed at
 * any point resumes exactly after the last page it committed. See docs/decisions/012-durable-import.md.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('qbo_imports', (t) => {
    t.increments('id').primary();
    t.string('realm_id', 32).notNullable();
    // The connection's generation when it started: a disconnect or reconnect ends it (decision 010).
    t.integer('generation').notNullable();
    // What the admin chose: active customers, and documents dated on or after documents_since.
    t.boolean('customers').notNullable();
    t.string('documents_since', 10).nullable();
    // customers | estimates | invoices | done
    t.string('phase', 16).notNullable();
    // Intuit's STARTPOSITION (1-based) of the next page of the phase.
    t.integer('position').notNullable().defaultTo(1);
    // running | finished | stopped | failed
    t.string('status', 16).notNullable();
    t.integer('imported').notNullable().defaultTo(0);
    t.integer('linked').notNullable().defaultTo(0);
    t.integer('skipped').notNullable().defaultTo(0);
    // JSON: {"customers": 5000, ...} (Intuit's count(*) at the start of each phase) and {"reason": n, ...}.
    t.text('totals_json').notNullable().defaultTo('{}');
    t.text('skip_reasons_json').notNullable().defaultTo('{}');
    t.string('error', 500).nullable();
    // The sync run its history entries belong to.
    t.integer('run_id').nullable();
    t.integer('started_by_user_id').nullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.string('finished_at', 32).nullable();
    t.index(['realm_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('qbo_imports');
}
