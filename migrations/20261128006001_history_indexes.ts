import type { Knex } from 'knex';

/**
 * The history page filters sync_events by any mix of direction, entity and result and pages newest first
 * by keyset on (at, id). The first sync migration covers "no filter", "result" and "all three"; without
 * these, a filter on direction alone (or direction and entity) made SQLite read every matching row and
 * sort them (about 15 ms at 100,000 events, growing with the table) instead of walking an index backwards
 * and stopping after 51 rows. Combinations with result use the (result, at, id) index and filter the rest.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_events', (t) => {
    t.index(['direction', 'at', 'id'], 'sync_events_direction_at_id_index');
    t.index(['entity', 'at', 'id'], 'sync_events_entity_at_id_index');
    t.index(['direction', 'entity', 'at', 'id'], 'sync_events_direction_entity_at_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_events', (t) => {
    t.dropIndex(['direction', 'at', 'id'], 'sync_events_direction_at_id_index');
    t.dropIndex(['entity', 'at', 'id'], 'sync_events_entity_at_id_index');
    t.dropIndex(['direction', 'entity', 'at', 'id'], 'sync_events_direction_entity_at_id_index');
  });
}
