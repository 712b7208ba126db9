import type { Knex } from 'knex';

/**
 * One truth about the connection across instances (issue 16, docs/decisions/010):
 * - qbo_connections.generation: bumped, to one more than the highest in the table, at every change of a
 *   connection's state (connect, switch, disconnecting, disconnected, revoked, archived). Every instance
 *   polls (realm, status, generation) and applies what changed: a disconnect made on one instance stops the
 *   others, a reconnect on one resumes them.
 * - qbo_instances: each running instance's heartbeat and the highest generation it has applied (its calls
 *   for a company being disconnected stopped and answered). A disconnect waits for the live instances to
 *   acknowledge before it revokes at Intuit, so nothing any instance sent can reach Intuit after the revoke.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('qbo_connections', (t) => {
    t.integer('generation').notNullable().defaultTo(0);
  });
  await knex('qbo_connections').update({ generation: knex.ref('id') });
  await knex.schema.createTable('qbo_instances', (t) => {
    t.string('owner', 64).primary();
    t.string('heartbeat_at', 32).notNullable();
    t.integer('applied_generation').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('qbo_instances');
  await knex.schema.alterTable('qbo_connections', (t) => {
    t.dropColumn('generation');
  });
}
