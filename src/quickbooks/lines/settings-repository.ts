/**
 * Per company: the default item and tax code chosen on the card, how the company taxes sales lines, and
 * its active items and tax codes as last read from QuickBooks (qbo_line_settings).
 */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';
import type { TaxMode } from '../mapping/to-quickbooks.js';

export interface CatalogItem {
  id: string;
  name: string;
  type: string;
}

export interface CatalogTaxCode {
  id: string;
  name: string;
}

export interface LineSettings {
  realmId: string;
  defaultItemId: string | null;
  defaultItemName: string | null;
  defaultTaxCodeId: string | null;
  taxMode: TaxMode;
  items: CatalogItem[];
  taxCodes: CatalogTaxCode[];
  refreshedAt: string;
}

interface Row {
  realm_id: string;
  default_item_id: string | null;
  default_item_name: string | null;
  default_tax_code_id: string | null;
  tax_mode: string;
  catalog_json: string;
  catalog_refreshed_at: string;
}

function toSettings(row: Row): LineSettings {
  let catalog: { items?: CatalogItem[]; taxCodes?: CatalogTaxCode[] } = {};
  try {
    catalog = JSON.parse(row.catalog_json);
  } catch {
    // Unreadable: an empty catalog, refreshed by the next read from QuickBooks.
  }
  const mode = row.tax_mode === 'automated' || row.tax_mode === 'per-line' ? row.tax_mode : 'none';
  return {
    realmId: row.realm_id,
    defaultItemId: row.default_item_id,
    defaultItemName: row.default_item_name,
    defaultTaxCodeId: row.default_tax_code_id,
    taxMode: mode,
    items: Array.isArray(catalog.items) ? catalog.items : [],
    taxCodes: Array.isArray(catalog.taxCodes) ? catalog.taxCodes : [],
    refreshedAt: row.catalog_refreshed_at,
  };
}

export class LineSettingsRepository {
  constructor(private readonly db: Knex) {}

  async get(realmId: string): Promise<LineSettings | undefined> {
    const row = await this.db<Row>('qbo_line_settings').where({ realm_id: realmId }).first();
    return row ? toSettings(row) : undefined;
  }

  async save(s: LineSettings): Promise<void> {
    const values = {
      default_item_id: s.defaultItemId,
      default_item_name: s.defaultItemName,
      default_tax_code_id: s.defaultTaxCodeId,
      tax_mode: s.taxMode,
      catalog_json: JSON.stringify({ items: s.items, taxCodes: s.taxCodes }),
      catalog_refreshed_at: s.refreshedAt,
      updated_at: nowIso(),
    };
    await this.db('qbo_line_settings')
      .insert({ realm_id: s.realmId, ...values })
      .onConflict('realm_id')
      .merge(values);
  }
}
