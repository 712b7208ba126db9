import type { Knex } from 'knex';

/**
 * qbo_connections.home_currency: the connected company's home currency (ISO 4217, from QuickBooks'
 * Preferences.CurrencyPrefs.HomeCurrency), read at connect and on "Sync now". Null until read (or when
 * QuickBooks did not say): the app then prints amounts in COMPANY_CURRENCY.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('qbo_connections', (t) => {
    t.string('home_currency', 3).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('qbo_connections', (t) => {
    t.dropColumn('home_currency');
  });
}
