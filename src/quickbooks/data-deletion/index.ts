/** Wiring of data deletion: the service over its repositories. The admin pages and `npm run qbo:purge` build it the same way. */
import type { Knex } from 'knex';
import { AuditRepository } from '../../audit/audit-repository.js';
import { transactor } from '../../db/transaction.js';
import { CachedDataRepository } from './cached-data-repository.js';
import { DeletionRequestsRepository } from './requests-repository.js';
import { DataDeletionService } from './service.js';

export function createDataDeletionService(db: Knex): DataDeletionService {
  return new DataDeletionService({
    transaction: transactor(db),
    cached: new CachedDataRepository(db),
    requests: new DeletionRequestsRepository(db),
    audit: new AuditRepository(db),
  });
}
