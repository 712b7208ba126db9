import type { Knex } from 'knex';

/**
 * webhook_deliveries: a verified delivery as it arrived, one row per delivery, stored before the 200 goes
 * back; the webhook worker moves its events into webhook_inbox (one row each, deduplicated) and deletes it
 * (decision 016). One row per delivery instead of ten keeps the acknowledgment to one insert into a table
 * with no index but its key; the per-event dedupe and its indexes are paid after the 200, in bulk.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.increments('id').primary();
    // The company whose events the delivery carries (the one connected when it arrived); events of other
    // companies in the same delivery were counted and are left out when it is unpacked.
    t.string('realm_id', 32).notNullable();
    t.string('received_at', 32).notNullable();
    t.integer('event_count').notNullable();
    // Intuit's JSON, exactly as signed (classic or CloudEvents).
    t.text('body').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_deliveries');
}
