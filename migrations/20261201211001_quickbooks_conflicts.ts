import type { Knex } from 'knex';

/**
 * Linking with proof (issue 15, decision 009):
 * - qbo_conflicts: a record Heavy AV could not push or link without a person's decision (a number taken
 *   in QuickBooks, a customer name held by a vendor, an employee or an inactive customer, values that
 *   differ after a link by name). `details` is JSON: both sides, for the side-by-side look.
 * - qbo_installation: one row, this installation's id, written into the marker of every document Heavy AV
 *   creates ("Created by Heavy AV · invoice #42 · <id>"), so it can later prove a document is its own.
 * - qbo_outbox.request_key: part of every requestid; renewed after a definitive answer (refused, conflict,
 *   an admin's retry) so that a retry is a new request and not Intuit's replay of the stored refusal.
 * - qbo_outbox.no_doc_number: create without DocNumber (the admin let QuickBooks number the document).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('qbo_conflicts', (t) => {
    t.increments('id').primary();
    t.string('realm_id', 32).notNullable();
    t.string('record_type', 16).notNullable();
    t.integer('record_id').notNullable();
    // number_taken | name_taken | values_differ
    t.string('kind', 24).notNullable();
    // The QuickBooks record in the way (the other document, the name's holder, the linked customer).
    t.string('qbo_id', 32).nullable();
    t.text('message').notNullable();
    t.text('details').nullable();
    // open | resolved
    t.string('state', 16).notNullable().defaultTo('open');
    t.string('resolution', 32).nullable();
    t.integer('resolved_by_user_id').nullable();
    t.string('created_at', 32).notNullable();
    t.string('resolved_at', 32).nullable();
    t.index(['record_type', 'record_id', 'state']);
    t.index(['realm_id', 'state']);
  });
  await knex.schema.createTable('qbo_installation', (t) => {
    t.integer('id').primary();
    t.string('installation_id', 40).notNullable();
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.alterTable('qbo_outbox', (t) => {
    t.string('request_key', 16).nullable();
    t.boolean('no_doc_number').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('qbo_outbox', (t) => {
    t.dropColumn('no_doc_number');
    t.dropColumn('request_key');
  });
  await knex.schema.dropTable('qbo_installation');
  await knex.schema.dropTable('qbo_conflicts');
}
