import type { Knex } from 'knex';

/**
 * qbo_pending_revocations: grants Heavy AV gave up (a disconnect, a cancelled switch, a company archived by a
 * confirmed switch) whose revoke at Intuit failed. The sealed refresh token stays here, and only here, until
 * a retry succeeds (or Intuit says it is already dead); the card lists them, so a live grant is never
 * forgotten silently (issue 16).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('qbo_pending_revocations', (t) => {
    t.increments('id').primary();
    t.string('realm_id', 32).notNullable();
    t.string('company_name', 255).nullable();
    // disconnect | switch_cancelled | archived
    t.string('reason', 32).notNullable();
    t.text('refresh_token_enc').notNullable();
    t.integer('attempts').notNullable().defaultTo(1);
    t.string('last_error', 255).nullable();
    t.string('created_at', 32).notNullable();
    t.string('next_attempt_at', 32).notNullable();
    t.index(['next_attempt_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('qbo_pending_revocations');
}
