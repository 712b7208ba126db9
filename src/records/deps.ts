import type { Knex } from 'knex';
import type { RecordHooks } from './hooks.js';

/**
 * What the record services need. The hooks are given once, at construction (src/container.ts passes the
 * push's recorder and link look-up, or a test's own through createContainer's options).
 */
export interface RecordServiceDeps {
  db: Knex;
  hooks: RecordHooks;
}
