import type { Knex } from 'knex';

/**
 * Faithful lines, items and tax (issue 15a):
 * - estimate_lines / invoice_lines: the QuickBooks item (id and name), tax code, taxable flag, service date
 *   and QuickBooks line id of a line, so a document pulled from QuickBooks goes back exactly as it came.
 * - estimates / invoices.managed_lines_json: a document whose lines Heavy AV cannot model exactly (discounts,
 *   credits, sub-cent prices…) keeps QuickBooks' Line array here, shown read-only and never sent back.
 * - qbo_links.snapshot_json: what QuickBooks holds, in Heavy AV's terms (the mapped payload), written after
 *   every push answer and every pull: an update sends only what differs from it. qbo_total_cents and
 *   qbo_tax_cents: QuickBooks' own TotalAmt and TxnTaxDetail.TotalTax, shown on the record.
 * - qbo_line_settings: per company, the default item and tax code chosen on the card, how the company taxes
 *   (none, US automated sales tax, a code per line) and its active items and tax codes (cached).
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['estimate_lines', 'invoice_lines']) {
    await knex.schema.alterTable(table, (t) => {
      t.string('item_id', 40).nullable();
      t.string('item_name', 100).nullable();
      t.string('tax_code_id', 40).nullable();
      t.boolean('taxable').nullable();
      t.string('service_date', 10).nullable();
      t.string('qbo_line_id', 40).nullable();
    });
  }
  for (const table of ['estimates', 'invoices']) {
    await knex.schema.alterTable(table, (t) => {
      t.text('managed_lines_json').nullable();
    });
  }
  await knex.schema.alterTable('qbo_links', (t) => {
    t.text('snapshot_json').nullable();
    t.bigInteger('qbo_total_cents').nullable();
    t.bigInteger('qbo_tax_cents').nullable();
  });
  await knex.schema.createTable('qbo_line_settings', (t) => {
    t.string('realm_id', 32).primary();
    t.string('default_item_id', 40).nullable();
    t.string('default_item_name', 100).nullable();
    t.string('default_tax_code_id', 40).nullable();
    /** 'none' | 'automated' (US automated sales tax) | 'per-line' (e.g. Canada: a code on every line) */
    t.string('tax_mode', 16).notNullable().defaultTo('none');
    /** {"items": [{id, name, type}], "taxCodes": [{id, name}]}: the active ones, as last read. */
    t.text('catalog_json').notNullable();
    t.string('catalog_refreshed_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('qbo_line_settings');
  await knex.schema.alterTable('qbo_links', (t) => {
    t.dropColumn('snapshot_json');
    t.dropColumn('qbo_total_cents');
    t.dropColumn('qbo_tax_cents');
  });
  for (const table of ['estimates', 'invoices']) {
    await knex.schema.alterTable(table, (t) => {
      t.dropColumn('managed_lines_json');
    });
  }
  for (const table of ['estimate_lines', 'invoice_lines']) {
    await knex.schema.alterTable(table, (t) => {
      for (const c of ['item_id', 'item_name', 'tax_code_id', 'taxable', 'service_date', 'qbo_line_id'])
        t.dropColumn(c);
    });
  }
}
