import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('estimates', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('doc_number', 21).notNullable().unique();
    t.string('txn_date', 10).notNullable();
    t.string('expiration_date', 10).nullable();
    t.text('memo').notNullable().defaultTo('');
    // Money in integer cents (bigint: a sum of lines may exceed 32 bits); never floats.
    t.bigInteger('total_cents').notNullable().defaultTo(0);
    // 'open'; the sync sets 'voided' or 'deleted_in_quickbooks'. Documents are never hard-deleted.
    t.string('status', 32).notNullable().defaultTo('open');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['customer_id']);
  });
  await knex.schema.createTable('estimate_lines', (t) => {
    t.increments('id').primary();
    t.integer('estimate_id').notNullable().references('id').inTable('estimates').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('description').notNullable();
    // Quantity in exact thousandths (1.5 → 1500), unit price and amount in cents.
    t.bigInteger('quantity_thousandths').notNullable();
    t.bigInteger('unit_price_cents').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.unique(['estimate_id', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('estimate_lines');
  await knex.schema.dropTable('estimates');
}
