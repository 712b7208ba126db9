import type { Knex } from 'knex';

/**
 * At most one open conflict per record and company. Two processes meeting the same conflict at once (a push
 * here, a pull there) each superseded nothing and inserted one: on PostgreSQL both stayed open. A partial
 * unique index (SQLite and PostgreSQL both have them) makes the database decide; the repository retries the
 * loser, whose second try supersedes the winner (the newest facts win).
 */
export async function up(knex: Knex): Promise<void> {
  // Any duplicates already there: keep the newest open one of each record.
  await knex.raw(`
    UPDATE qbo_conflicts SET state = 'resolved', resolution = 'superseded'
    WHERE state = 'open' AND id NOT IN (
      SELECT MAX(id) FROM qbo_conflicts WHERE state = 'open' GROUP BY realm_id, record_type, record_id
    )`);
  await knex.raw(
    `CREATE UNIQUE INDEX qbo_conflicts_one_open ON qbo_conflicts (realm_id, record_type, record_id) WHERE state = 'open'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX qbo_conflicts_one_open');
}
