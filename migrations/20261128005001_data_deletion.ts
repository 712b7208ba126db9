import type { Knex } from 'knex';

/**
 * Requests to delete the QuickBooks data cached in Heavy AV (capability 12). The receipt of a processed
 * request is an audit_log entry (never purged); the request points at it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('qbo_deletion_requests', (t) => {
    t.increments('id').primary();
    t.string('requested_at', 32).notNullable();
    t.integer('requested_by_user_id').nullable();
    t.string('requested_by_email', 254).nullable();
    // pending | processed
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('processed_at', 32).nullable();
    t.string('processed_by', 254).nullable();
    t.integer('receipt_audit_id').nullable();
    t.text('note').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('qbo_deletion_requests');
}
