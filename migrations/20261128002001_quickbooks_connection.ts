import type { Knex } from 'knex';

/**
 * The QuickBooks connection and what surrounds it:
 * - qbo_connections: one row per QuickBooks company (realm) ever connected. The credentials columns are
 *   emptied (not the row) on disconnect or revocation, so the realm stays known for realm-stamped links,
 *   the audit trail and "same company?" on reconnect.
 * - qbo_oauth_states: single-use OAuth `state` values (stored hashed), bound to the admin's session.
 * - audit_log: who connected, refreshed, disconnected, purged, and what Intuit answered.
 * - locks: leases for work that must happen once across processes (token refresh, schedules).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('qbo_connections', (t) => {
    t.increments('id').primary();
    t.string('realm_id', 32).notNullable().unique();
    t.string('company_name', 255).nullable();
    t.string('environment', 16).notNullable();
    // connected | pending_switch | disconnected | revoked
    t.string('status', 16).notNullable();
    t.string('connected_at', 32).nullable();
    t.integer('connected_by_user_id').nullable();
    t.string('connected_by_email', 254).nullable();
    t.string('disconnected_at', 32).nullable();
    t.string('disconnect_reason', 64).nullable();
    // AES-256-GCM ciphertexts (see src/quickbooks/intuit/token-cipher.ts); null when no credentials are held.
    t.text('access_token_enc').nullable();
    t.text('refresh_token_enc').nullable();
    t.string('access_expires_at', 32).nullable();
    t.string('refresh_expires_at', 32).nullable();
    t.string('refresh_hard_expires_at', 32).nullable();
    t.string('refresh_token_issued_at', 32).nullable();
    t.string('last_refresh_at', 32).nullable();
    t.string('last_sync_at', 32).nullable();
    // Bumped on every credentials write: lets a writer detect that another process refreshed first.
    t.integer('token_version').notNullable().defaultTo(0);
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['status']);
  });

  await knex.schema.createTable('qbo_oauth_states', (t) => {
    t.string('state_hash', 64).primary();
    t.string('session_id', 255).notNullable();
    t.integer('user_id').notNullable();
    t.string('created_at', 32).notNullable();
    t.string('expires_at', 32).notNullable();
    t.string('used_at', 32).nullable();
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id').primary();
    t.string('at', 32).notNullable().index();
    t.string('action', 64).notNullable();
    t.integer('actor_user_id').nullable();
    t.string('actor_email', 254).nullable();
    t.string('realm_id', 32).nullable();
    t.string('intuit_tid', 128).nullable();
    t.text('summary').notNullable();
    t.text('details').nullable();
  });

  await knex.schema.createTable('locks', (t) => {
    t.string('name', 191).primary();
    t.string('owner', 64).notNullable();
    t.string('expires_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('locks');
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('qbo_oauth_states');
  await knex.schema.dropTable('qbo_connections');
}
