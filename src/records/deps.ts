import type { Knex } from 'knex';
import type { RecordHooks } from './hooks.js';

/**
 * What the record services need. `hooks` is read at call time (never copied), so the QuickBooks
 * module can install its recorder on the shared hooks object after the services are built.
 */
export interface RecordServiceDeps {
  db: Knex;
  hooks: RecordHooks;
}
