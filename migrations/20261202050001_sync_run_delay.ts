import type { Knex } from 'knex';

/**
 * A pull (CDC sweep) that Intuit throttles or that meets a passing outage waits and tries the same page
 * again. While it waits, its run says why and when it tries next, so every instance's card can show it
 * (decision 013). Kept on a run that finally gave up, too: the card says why it stopped and when the pull
 * is tried again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_runs', (t) => {
    // quickbooks_throttled | quickbooks_unavailable (the error codes the queue keeps, see status.ts)
    t.string('delay_code', 40).nullable();
    t.string('next_try_at', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_runs', (t) => {
    t.dropColumn('delay_code');
    t.dropColumn('next_try_at');
  });
}
