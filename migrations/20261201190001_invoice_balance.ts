import type { Knex } from 'knex';

/**
 * invoices.balance_cents: what is still owed on the invoice, as QuickBooks reports it (Invoice.Balance,
 * which Payments lower). Null means "not known" (never pulled): such an invoice counts as unpaid. With it
 * an invoice's status can be open, partly paid, paid or overdue (documents/stage.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => {
    t.bigInteger('balance_cents').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => {
    t.dropColumn('balance_cents');
  });
}
