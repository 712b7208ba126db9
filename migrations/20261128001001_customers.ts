import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customers', (t) => {
    t.increments('id').primary();
    t.string('display_name', 255).notNullable();
    // Lower-cased, trimmed, single-spaced display name: the unique index makes "ACME" and "acme " one
    // customer, as QuickBooks does (DisplayName is unique there regardless of case).
    t.string('display_name_key', 255).notNullable().unique();
    t.string('company_name', 255).notNullable().defaultTo('');
    t.string('email', 254).notNullable().defaultTo('');
    t.string('phone', 40).notNullable().defaultTo('');
    t.string('billing_line1', 255).notNullable().defaultTo('');
    t.string('billing_city', 255).notNullable().defaultTo('');
    t.string('billing_postal_code', 40).notNullable().defaultTo('');
    t.string('billing_country', 100).notNullable().defaultTo('');
    t.boolean('active').notNullable().defaultTo(true);
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('customers');
}
