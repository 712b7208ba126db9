import type { Knex } from 'knex';

/**
 * The QuickBooks sync:
 * - qbo_links: one row per record and company (realm-stamped): the QuickBooks id, SyncToken and a hash of
 *   the last payload sent. `archived` links belong to an earlier company and are never used again.
 * - qbo_outbox: durable push work, written in the same transaction as the record change. Claimed by a
 *   lease (claimed_by/claimed_until) so exactly one worker in any process pushes an item, and a dead
 *   worker's items come back after the lease.
 * - sync_runs / sync_events: every run and every operation, for the history page and CSV.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('qbo_links', (t) => {
    t.increments('id').primary();
    t.string('record_type', 16).notNullable();
    t.integer('record_id').notNullable();
    t.string('realm_id', 32).notNullable();
    t.string('qbo_id', 32).notNullable();
    t.string('sync_token', 32).nullable();
    t.string('payload_hash', 64).nullable();
    // linked | archived
    t.string('state', 16).notNullable().defaultTo('linked');
    t.string('qbo_updated_at', 40).nullable();
    t.string('last_synced_at', 32).nullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.unique(['record_type', 'record_id', 'realm_id']);
    t.index(['realm_id', 'record_type', 'qbo_id']);
  });

  await knex.schema.createTable('qbo_outbox', (t) => {
    t.increments('id').primary();
    // The company the change is for: the connected one when it was made, else the last connected one.
    t.string('realm_id', 32).nullable();
    t.string('record_type', 16).notNullable();
    t.integer('record_id').notNullable();
    // pending | done | failed | cancelled | archived
    t.string('status', 16).notNullable().defaultTo('pending');
    // Lower runs first: customers (0) before the estimates and invoices (1) that reference them.
    t.integer('priority').notNullable().defaultTo(1);
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 32).notNullable();
    t.string('claimed_by', 64).nullable();
    t.string('claimed_until', 32).nullable();
    t.integer('run_id').nullable();
    t.string('last_error_code', 32).nullable();
    t.text('last_error').nullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['status', 'realm_id', 'priority', 'next_attempt_at']);
    t.index(['record_type', 'record_id', 'status']);
  });

  await knex.schema.createTable('sync_runs', (t) => {
    t.increments('id').primary();
    t.string('realm_id', 32).nullable();
    // push | pull | cdc | full
    t.string('kind', 16).notNullable();
    t.string('started_at', 32).notNullable();
    t.string('finished_at', 32).nullable();
    t.integer('total').notNullable().defaultTo(0);
    t.integer('done').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    // running | finished | stopped
    t.string('status', 16).notNullable().defaultTo('running');
    t.integer('started_by_user_id').nullable();
  });

  await knex.schema.createTable('sync_events', (t) => {
    t.increments('id').primary();
    t.string('at', 32).notNullable();
    t.integer('run_id').nullable();
    t.string('realm_id', 32).nullable();
    // push | pull
    t.string('direction', 8).notNullable();
    t.string('entity', 16).notNullable();
    t.integer('local_id').nullable();
    t.string('qbo_id', 32).nullable();
    // create | update | link | read | delete | void | merge …
    t.string('operation', 16).notNullable();
    // ok | skipped | failed | retry
    t.string('result', 16).notNullable();
    t.string('error_code', 32).nullable();
    t.text('error_message').nullable();
    t.string('intuit_tid', 128).nullable();
    // Keyset paging newest-first, with and without filters.
    t.index(['at', 'id']);
    t.index(['direction', 'entity', 'result', 'at', 'id']);
    t.index(['result', 'at', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sync_events');
  await knex.schema.dropTable('sync_runs');
  await knex.schema.dropTable('qbo_outbox');
  await knex.schema.dropTable('qbo_links');
}
