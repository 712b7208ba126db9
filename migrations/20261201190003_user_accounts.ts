import type { Knex } from 'knex';

/**
 * Accounts managed from the users page (issue 19).
 *
 * users.active: a deactivated user cannot sign in and their sessions end at their next request (the
 * session middleware reads the user from the database on every request).
 * users.sessions_valid_after: sessions signed in before this time end (set by a password change, a reset,
 * a deactivation), so a password change also signs out a stolen session elsewhere.
 *
 * one_time_links: invitations and password resets. Only a SHA-256 of the token is stored (the token is
 * 256 random bits: a plain hash is enough, nothing to brute-force), so a copy of the database does not
 * hand out working links. Used once (used_at), expiring (expires_at).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('active').notNullable().defaultTo(true);
    t.string('sessions_valid_after', 32).nullable();
  });
  await knex.schema.createTable('one_time_links', (t) => {
    t.increments('id').primary();
    // invitation | password_reset
    t.string('kind', 16).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    // invitation: who is invited and as what; password_reset: the user whose password is set.
    t.string('email', 254).notNullable();
    t.string('role', 16).nullable();
    t.integer('user_id').nullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('created_by_user_id').nullable();
    t.string('created_at', 32).notNullable();
    t.string('expires_at', 32).notNullable();
    t.string('used_at', 32).nullable();
    t.index(['kind', 'email']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('one_time_links');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('sessions_valid_after');
    t.dropColumn('active');
  });
}
