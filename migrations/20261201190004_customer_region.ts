import type { Knex } from 'knex';

/**
 * customers.billing_region: state, province or county (QuickBooks' BillAddr.CountrySubDivisionCode),
 * printed in the order the country writes addresses (customers/address.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.string('billing_region', 100).notNullable().defaultTo('');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('billing_region');
  });
}
