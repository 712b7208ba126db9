/**
 * Wiring of the push: record changes → outbox (same transaction) → worker → QuickBooks, and what the
 * card and "Sync now" need from it. `lifecycle` is registered by the composition root. Construction only.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import type { ChangeRecorder, LinkLookup, RecordType, SyncStates } from '../../records/hooks.js';
import { ConflictsRepository } from '../conflicts/conflicts-repository.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { ConnectionLifecycle } from '../connection/lifecycle.js';
import type { QboClient } from '../intuit/client.js';
import type { Limiters } from '../intuit/limiter.js';
import type { LineSetup } from '../mapping/to-quickbooks.js';
import { SyncEventsRepository } from '../sync/events-repository.js';
import { Installation } from '../sync/installation.js';
import { LinksRepository } from '../sync/links-repository.js';
import { outboxRecorder } from './change-recorder.js';
import { fullPush, type QueueFullPush } from './full-push.js';
import { pushLifecycle } from './lifecycle.js';
import { linkSummaries } from './link-summaries.js';
import { OutboxRepository } from './outbox-repository.js';
import { type PushProgress, pushProgress } from './progress.js';
import { PushWorker } from './push-worker.js';
import { Pusher } from './pusher.js';
import { RecordsReader } from './records-reader.js';
import { syncStates } from './sync-states.js';

export interface PushSync {
  recordChange: ChangeRecorder;
  linksFor: LinkLookup;
  worker: PushWorker;
  outbox: OutboxRepository;
  links: LinksRepository;
  events: SyncEventsRepository;
  conflicts: ConflictsRepository;
  installation: Installation;
  /** The hash of what a push of the record would send now (null: nothing); an admin's link stores it. */
  currentState(
    realmId: string,
    type: RecordType,
    id: number,
  ): Promise<{ payloadHash: string | null; snapshot: string | null }>;
  /** Queues a full push of every record for the company; returns a message for the admin. */
  queueFullPush: QueueFullPush;
  progress: PushProgress;
  /** Each record's QuickBooks state for the lists' column and filter. */
  states: SyncStates;
  /** What the push does when the connection changes; registered on the lifecycle hub. */
  lifecycle: Partial<ConnectionLifecycle>;
}

export interface PushSyncOptions {
  lanes?: number;
  pollMs?: number;
  leaseMs?: number;
  retryDelayMs?: (attempts: number) => number;
}

export function createPushSync(
  deps: {
    db: Knex;
    logger: Logger;
    client: QboClient;
    connections: ConnectionsRepository;
    limiters: Limiters;
    /** This process's lease owner name (Locks.owner). */
    owner: string;
    /** The company's items and tax defaults for lines (quickbooks/lines). */
    lineSetup(realmId: string, signal?: AbortSignal): Promise<LineSetup>;
    /** A document created without DocNumber takes QuickBooks' number (the records domain writes it). */
    numberFromQuickBooks?(type: 'estimate' | 'invoice', id: number, docNumber: string): Promise<void>;
    /** The record's page in QuickBooks Online ("Open in QuickBooks"). */
    openUrl?: (type: RecordType, qboId: string, realmId: string) => string;
  },
  options: PushSyncOptions = {},
): PushSync {
  const { db, logger, client, connections, owner } = deps;
  const links = new LinksRepository(db);
  const events = new SyncEventsRepository(db);
  const outbox = new OutboxRepository(db);
  const reader = new RecordsReader(db);
  const conflicts = new ConflictsRepository(db);
  const installation = new Installation(db);
  const pusher = new Pusher({
    client,
    links,
    events,
    outbox,
    reader,
    lineSetup: deps.lineSetup,
    conflicts,
    installation,
    numberFromQuickBooks: deps.numberFromQuickBooks,
    logger,
    owner,
    retryDelayMs: options.retryDelayMs,
  });
  const worker = new PushWorker({
    connections,
    outbox,
    pusher,
    logger,
    owner,
    lanes: options.lanes,
    pollMs: options.pollMs,
    leaseMs: options.leaseMs,
    singlesTicket: (realmId, maxWaitMs) => deps.limiters.for(realmId).singlesTicket(maxWaitMs),
  });
  const kick = () => worker.kick();

  return {
    recordChange: outboxRecorder({ connections, outbox, kick }),
    linksFor: linkSummaries({ connections, links, outbox, openUrl: deps.openUrl }),
    states: syncStates({ db, connections }),
    worker,
    outbox,
    links,
    events,
    conflicts,
    installation,
    currentState: (realmId, type, id) => pusher.currentState(realmId, type, id),
    queueFullPush: fullPush({ reader, events, outbox, kick }),
    progress: pushProgress({ connections, events, outbox }),
    lifecycle: pushLifecycle({ outbox, links, worker }),
  };
}
