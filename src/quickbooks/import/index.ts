/**
 * Wiring of the import (capability 19): its repository, the page applier, the runner and the service the
 * card and the lifecycle hub use. Construction only.
 */
import type { Knex } from 'knex';
import type { Locks } from '../../db/locks.js';
import { transactor } from '../../db/transaction.js';
import type { Logger } from '../../logger.js';
import { ConflictsRepository } from '../conflicts/conflicts-repository.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { QboClient } from '../intuit/client.js';
import { SyncEventsRepository } from '../sync/events-repository.js';
import { Installation } from '../sync/installation.js';
import { LinksRepository } from '../sync/links-repository.js';
import { type ApplyPageDeps, PageApplier } from './apply-page.js';
import { ImportService } from './import-service.js';
import { ImportsRepository } from './imports-repository.js';
import { ImportRunner } from './runner.js';

export interface ImportOptions {
  /** How often an instance looks for an import no process runs (default 5 s). */
  checkEveryMs?: number;
}

export function createImport(deps: {
  db: Knex;
  logger: Logger;
  client: QboClient;
  connections: ConnectionsRepository;
  locks: Locks;
  records: Pick<ApplyPageDeps, 'customers' | 'estimates' | 'invoices'>;
  leaseMs: number;
  options?: ImportOptions;
}): ImportService {
  const { db, logger, client, connections, locks, records, leaseMs } = deps;
  const transaction = transactor(db);
  const imports = new ImportsRepository(db);
  const links = new LinksRepository(db);
  const events = new SyncEventsRepository(db);
  const applier = new PageApplier({
    transaction,
    links,
    ...records,
    conflicts: new ConflictsRepository(db),
    events,
    imports,
  });
  const runner = new ImportRunner({
    client,
    imports,
    applier,
    events,
    links,
    installation: new Installation(db),
    connections,
    locks,
    logger,
    leaseMs,
  });
  return new ImportService({ imports, runner, connections, transaction, logger }, deps.options);
}
