import type { Knex } from 'knex';

/**
 * login_attempts: failed sign-ins counted in the database (so every instance agrees), one row per budget
 * key: an account (a hash of the normalised email, known or not), a client address, or the pair. The
 * count is taken in a transaction before the password is hashed (auth/login-budgets.ts).
 *
 * first_run_claims: one row per one-time action ('first-admin'); the primary key lets exactly one
 * request win /admin/setup, whatever the number of instances or parallel requests.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_attempts', (t) => {
    t.string('key', 100).primary();
    t.integer('failures').notNullable().defaultTo(0);
    t.string('blocked_until', 32).nullable();
    t.string('last_failure_at', 32).notNullable();
  });
  await knex.schema.createTable('first_run_claims', (t) => {
    t.string('name', 32).primary();
    t.string('claimed_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('first_run_claims');
  await knex.schema.dropTable('login_attempts');
}
