import type { Knex } from 'knex';

/**
 * The alerts outbox (capability 20). `alerts`: one row per incident; the unique incident_key is what makes
 * an incident alerted once across instances (every instance may notice it; one insert wins).
 * `alert_deliveries`: one row per alert and channel (email, webhook), claimed with a lease and retried
 * with back-off until sent, so a crash or an SMTP outage delays an alert and a sent channel is never sent
 * again when another one fails. See docs/decisions/011-alerts-outbox.md.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('alerts', (t) => {
    t.increments('id').primary();
    t.string('incident_key', 200).notNullable().unique();
    // connection_lost | connection_restored | records_failing | expiry | deletion_processed | test
    t.string('kind', 32).notNullable();
    t.string('subject', 200).notNullable();
    t.text('body').notNullable();
    // Absolute URL (APP_BASE_URL) of the page that fixes it.
    t.string('link', 500).notNullable();
    t.string('created_at', 32).notNullable();
    // A random token of the instance whose insert won (tells the raiser it was the one).
    t.string('raised_by', 64).notNullable();
    // The channels configured when it was raised (email,webhook), and when their deliveries were queued:
    // the alert row alone records the intent, so a crash before the deliveries exist loses nothing.
    t.string('channels', 64).notNullable().defaultTo('');
    t.string('queued_at', 32).nullable();
    // For incidents that end (records failing): when the condition cleared.
    t.string('resolved_at', 32).nullable();
    t.index(['kind', 'id']);
    t.index(['queued_at']);
  });
  await knex.schema.createTable('alert_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('alert_id').notNullable().references('id').inTable('alerts').onDelete('CASCADE');
    // email | webhook
    t.string('channel', 16).notNullable();
    // pending | sent | failed (a test that did not go: tests are not retried)
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 32).notNullable();
    t.string('claimed_by', 100).nullable();
    t.string('claimed_until', 32).nullable();
    t.string('last_error', 500).nullable();
    t.string('last_attempt_at', 32).nullable();
    t.string('sent_at', 32).nullable();
    // Where it went (email addresses, or the webhook's host): shown in the delivery log.
    t.string('sent_to', 1000).nullable();
    t.unique(['alert_id', 'channel']);
    t.index(['status', 'next_attempt_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('alert_deliveries');
  await knex.schema.dropTable('alerts');
}
