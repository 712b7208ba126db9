/**
 * The ordered list of migrations. An explicit list (instead of reading the folder) works the same under
 * tsx, in tests and from the CLI, and makes the order a reviewed fact.
 */
import type { Knex } from 'knex';
import * as m001 from './20261128000001_users.js';
import * as m002 from './20261128000002_sessions.js';
import * as r001 from './20261128001001_customers.js';
import * as r002 from './20261128001002_estimates.js';
import * as r003 from './20261128001003_invoices.js';
import * as q001 from './20261128002001_quickbooks_connection.js';
import * as q002 from './20261128003001_quickbooks_sync.js';
import * as q003 from './20261128004001_quickbooks_inbox.js';
import * as q004 from './20261128005001_data_deletion.js';
import * as q005 from './20261128006001_history_indexes.js';
import * as a001 from './20261201000001_auth_hardening.js';
import * as d001 from './20261201190001_invoice_balance.js';
import * as a002 from './20261201190003_user_accounts.js';
import * as r004 from './20261201190004_customer_region.js';
import * as q006 from './20261201200001_connection_home_currency.js';
import * as q007 from './20261201210001_quickbooks_lines.js';
import * as q008 from './20261201211001_quickbooks_conflicts.js';
import * as i001 from './20261201212001_connection_generation.js';
import * as i002 from './20261201212002_pending_revocations.js';
import * as n001 from './20261201213001_alerts.js';
import * as q009 from './20261201214001_conflict_open_unique.js';
import * as q010 from './20261202010001_quickbooks_imports.js';
import * as q011 from './20261202050001_sync_run_delay.js';
import * as q012 from './20261203010001_webhook_deliveries.js';
import * as q013 from './20261204010001_webhook_deliveries_rowid.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Record<string, Migration> = {
  '20261128000001_users': m001,
  '20261128000002_sessions': m002,
  '20261128001001_customers': r001,
  '20261128001002_estimates': r002,
  '20261128001003_invoices': r003,
  '20261128002001_quickbooks_connection': q001,
  '20261128003001_quickbooks_sync': q002,
  '20261128004001_quickbooks_inbox': q003,
  '20261128005001_data_deletion': q004,
  '20261128006001_history_indexes': q005,
  '20261201000001_auth_hardening': a001,
  '20261201190001_invoice_balance': d001,
  '20261201190003_user_accounts': a002,
  '20261201190004_customer_region': r004,
  '20261201200001_connection_home_currency': q006,
  '20261201210001_quickbooks_lines': q007,
  '20261201211001_quickbooks_conflicts': q008,
  '20261201212001_connection_generation': i001,
  '20261201212002_pending_revocations': i002,
  '20261201213001_alerts': n001,
  '20261201214001_conflict_open_unique': q009,
  '20261202010001_quickbooks_imports': q010,
  '20261202050001_sync_run_delay': q011,
  '20261203010001_webhook_deliveries': q012,
  '20261204010001_webhook_deliveries_rowid': q013,
};

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    // Sorted: the timestamp prefix decides the order, whatever order the entries were added in.
    return Object.keys(migrations).sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    return migrations[name];
  },
};
