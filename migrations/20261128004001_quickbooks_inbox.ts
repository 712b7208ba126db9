import type { Knex } from 'knex';

/**
 * Changes coming from QuickBooks:
 * - webhook_inbox: each webhook event stored durably before the 200 goes back, deduplicated by
 *   `event_key` (CloudEvents id; classic: realm, entity, id, operation, lastUpdated); worked off by a
 *   worker that claims rows with a lease, retries with back-off and parks after N attempts.
 * - webhook_stats: counts of deliveries and events dropped for companies that are not connected (their
 *   content is not kept).
 * - qbo_cdc_watermarks: per company, up to when the CDC sweep has caught up.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_inbox', (t) => {
    t.increments('id').primary();
    t.string('event_key', 255).notNullable().unique();
    t.string('realm_id', 32).notNullable();
    t.string('entity', 32).notNullable();
    t.string('entity_id', 32).notNullable();
    t.string('operation', 16).notNullable();
    t.string('occurred_at', 40).nullable();
    t.string('received_at', 32).notNullable();
    // classic | cloudevents
    t.string('format', 16).notNullable();
    // pending | done | failed | parked | dropped
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 32).notNullable();
    t.string('claimed_by', 64).nullable();
    t.string('claimed_until', 32).nullable();
    t.string('last_error_code', 32).nullable();
    t.text('last_error').nullable();
    t.string('processed_at', 32).nullable();
    t.index(['status', 'next_attempt_at']);
    t.index(['realm_id', 'status']);
  });

  await knex.schema.createTable('webhook_stats', (t) => {
    t.string('name', 64).primary();
    t.bigInteger('value').notNullable().defaultTo(0);
    t.string('updated_at', 32).notNullable();
  });

  await knex.schema.createTable('qbo_cdc_watermarks', (t) => {
    t.string('realm_id', 32).primary();
    t.string('changed_since', 40).notNullable();
    t.string('last_run_at', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('qbo_cdc_watermarks');
  await knex.schema.dropTable('webhook_stats');
  await knex.schema.dropTable('webhook_inbox');
}
