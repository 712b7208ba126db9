/**
 * The push side of the sync, wired: record changes → outbox (same transaction) → worker → QuickBooks.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import type { ChangeRecorder, LinkLookup, LinkSummary } from '../../records/hooks.js';
import type { SyncProgress } from '../connection/card.js';
import type { QuickBooks } from '../index.js';
import { SyncEventsRepository } from '../sync/events-repository.js';
import { LinksRepository } from '../sync/links-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { PushWorker } from './push-worker.js';
import { Pusher } from './pusher.js';
import { RecordsReader } from './records-reader.js';

export interface PushSync {
  recordChange: ChangeRecorder;
  linksFor: LinkLookup;
  worker: PushWorker;
  outbox: OutboxRepository;
  links: LinksRepository;
  events: SyncEventsRepository;
  /** Queues a full push of every record for the company; returns a message for the admin. */
  queueFullPush(realmId: string, userId?: number): Promise<string>;
  progress(): Promise<SyncProgress | undefined>;
}

export interface PushSyncOptions {
  lanes?: number;
  pollMs?: number;
  leaseMs?: number;
  retryDelayMs?: (attempts: number) => number;
}

export function createPushSync(
  db: Knex,
  qb: QuickBooks,
  logger: Logger,
  options: PushSyncOptions = {},
): PushSync {
  const links = new LinksRepository(db);
  const events = new SyncEventsRepository(db);
  const outbox = new OutboxRepository(db);
  const reader = new RecordsReader(db);
  const owner = qb.locks.owner;
  const pusher = new Pusher({
    client: qb.client,
    links,
    events,
    outbox,
    reader,
    logger,
    owner,
    retryDelayMs: options.retryDelayMs,
    preferSingles: (realmId, n) => qb.limiters.for(realmId).preferSingles(n),
  });
  const worker = new PushWorker({
    connections: qb.connections,
    outbox,
    pusher,
    logger,
    owner,
    lanes: options.lanes,
    pollMs: options.pollMs,
    leaseMs: options.leaseMs,
  });

  qb.lifecycle.add({
    connected: async (realmId) => {
      await outbox.adoptUnassigned(realmId);
      worker.resumeRealm(realmId);
    },
    stopping: (realmId) => worker.stopRealm(realmId),
    archived: async (realmIds) => {
      await outbox.archiveRealms(realmIds);
      await links.archiveRealms(realmIds);
    },
  });

  const recordChange: ChangeRecorder = async (trx, change) => {
    // The company this change is for: the connected one, or else the one connected last, so that work
    // made while disconnected goes out after a reconnect to the same company (and never to another).
    const active = await qb.connections.active(trx);
    const latest = active ?? (await qb.connections.latest(trx));
    const realmId = latest && latest.status !== 'archived' ? latest.realmId : null;
    await outbox.enqueue(trx, { realmId, recordType: change.type, recordId: change.id });
    if (active) setTimeout(() => worker.kick(), 5).unref?.();
  };

  const linksFor: LinkLookup = async (type, id) => {
    const [all, active, pending] = await Promise.all([
      links.forRecord(type, id),
      qb.connections.active(),
      outbox.pendingFor(type, id),
    ]);
    const names = new Map((await qb.connections.all()).map((c) => [c.realmId, c.companyName]));
    const summaries: LinkSummary[] = all.map((l) => ({
      realmId: l.realmId,
      companyName: names.get(l.realmId) ?? null,
      qboId: l.qboId,
      syncToken: l.syncToken,
      lastSyncedAt: l.lastSyncedAt,
      readOnly: !active || active.realmId !== l.realmId || l.state !== 'linked',
      state: l.state,
      pending: pending
        ? pending.status === 'failed'
          ? `failed: ${pending.lastError ?? ''}`
          : 'queued'
        : null,
    }));
    return summaries;
  };

  return {
    recordChange,
    linksFor,
    worker,
    outbox,
    links,
    events,
    async queueFullPush(realmId, userId) {
      const ids = await reader.allIds();
      const records = [
        ...ids.customers.map((recordId) => ({ recordType: 'customer' as const, recordId })),
        ...ids.estimates.map((recordId) => ({ recordType: 'estimate' as const, recordId })),
        ...ids.invoices.map((recordId) => ({ recordType: 'invoice' as const, recordId })),
      ];
      const run = await events.startRun({ realmId, kind: 'push', userId });
      const n = await outbox.enqueueMany(realmId, records, run.id);
      await events.addToRun(run.id, { total: n });
      worker.kick();
      return `Queued ${n} record${n === 1 ? '' : 's'} for QuickBooks; unchanged ones are skipped.`;
    },
    async progress() {
      const active = await qb.connections.active();
      if (!active) return undefined;
      const [run, waiting] = await Promise.all([
        events.latestRun(active.realmId, 'push'),
        outbox.counts(active.realmId),
      ]);
      if (!run)
        return {
          running: waiting.pending > 0,
          done: 0,
          total: 0,
          failed: waiting.failed,
          waiting: waiting.pending,
        };
      const c = await outbox.runCounts(run.id);
      return {
        running: c.done + c.failed < c.total,
        done: c.done,
        total: c.total,
        failed: c.failed,
        waiting: waiting.pending,
      };
    },
  };
}
