import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoices', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    // The estimate this invoice was made from; unique so a double-clicked "Turn into invoice" cannot
    // make two invoices.
    t.integer('estimate_id').nullable().unique().references('id').inTable('estimates');
    t.string('doc_number', 21).notNullable().unique();
    t.string('txn_date', 10).notNullable();
    t.string('due_date', 10).nullable();
    t.text('memo').notNullable().defaultTo('');
    t.bigInteger('total_cents').notNullable().defaultTo(0);
    t.string('status', 32).notNullable().defaultTo('open');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['customer_id']);
  });
  await knex.schema.createTable('invoice_lines', (t) => {
    t.increments('id').primary();
    t.integer('invoice_id').notNullable().references('id').inTable('invoices').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('description').notNullable();
    t.bigInteger('quantity_thousandths').notNullable();
    t.bigInteger('unit_price_cents').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.unique(['invoice_id', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoice_lines');
  await knex.schema.dropTable('invoices');
}
