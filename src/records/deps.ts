import type { Transactor } from '../db/transaction.js';
import type { RecordHooks } from './hooks.js';

/**
 * What every record service needs besides its repositories: a way to open a transaction (decision 007)
 * and the hooks, given once at construction (src/container.ts passes the push's recorder and link
 * look-up, or a test's own through createContainer's options).
 */
export interface RecordServiceDeps {
  transaction: Transactor;
  hooks: RecordHooks;
}
